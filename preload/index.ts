// Electron preload: exposes `window.kiosk` (BridgeApi), generated from the bridge contract's
// channel lists. No logic: main validates every call; this only forwards known channel names and
// never hands the IPC event object (which carries `sender`) to the page.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRenderer } from 'electron';
import type { BridgeApi, CallName, EventName } from '../common/bridge/contract';
import { callNames, eventNames } from '../common/bridge/contract';
import type { Result } from '../common/result';
import { ipcCallChannel, ipcEventChannel } from './channels';

const fail = (code: string, message: string): Result<never> => ({ ok: false, error: { code, message } });

/** Builds the page-facing API over an ipcRenderer (exported for tests). */
export function buildKioskApi(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): BridgeApi {
  const calls = new Set<string>(callNames);
  const events = new Set<string>(eventNames);
  return {
    invoke(channel, ...args) {
      if (!calls.has(channel)) return Promise.resolve(fail('unknown_channel', `Unknown bridge channel ${String(channel)}`));
      // main answers with a Result; a rejection only means IPC itself failed (window closing).
      return ipc.invoke(ipcCallChannel(channel as CallName), ...args).catch((err: unknown) => fail('bridge_closed', String(err)));
    },
    on(event, listener) {
      if (!events.has(event)) return () => {};
      const ch = ipcEventChannel(event as EventName);
      const forward = (_e: unknown, ...payload: unknown[]) => (listener as (...p: unknown[]) => void)(...payload);
      ipc.on(ch, forward);
      return () => {
        ipc.removeListener(ch, forward);
      };
    },
  };
}

contextBridge.exposeInMainWorld('kiosk', buildKioskApi(ipcRenderer));
