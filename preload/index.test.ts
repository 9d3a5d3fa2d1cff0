import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callNames, eventNames } from '../common/bridge/contract';

const mocks = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(),
}));

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const ipcRenderer = Object.assign(new EE(), { invoke: mocks.invoke });
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => mocks.exposed.set(key, api) },
    ipcRenderer,
  };
});

describe('preload', () => {
  beforeEach(() => mocks.invoke.mockReset());

  it('exposes exactly one object, window.kiosk, with invoke and on', async () => {
    await import('./index');
    expect([...mocks.exposed.keys()]).toEqual(['kiosk']);
    expect(Object.keys(mocks.exposed.get('kiosk') as object).sort()).toEqual(['invoke', 'on']);
  });

  it('forwards every contract call to its own IPC channel and returns main\'s Result', async () => {
    const { buildKioskApi } = await import('./index');
    const ipc = Object.assign(new EventEmitter(), { invoke: vi.fn(async () => ({ ok: true, value: 'online' })) });
    const api = buildKioskApi(ipc as never);
    for (const name of callNames) {
      await api.invoke(name as 'hub.status');
      expect(ipc.invoke).toHaveBeenLastCalledWith(`kiosk:call:${name}`);
    }
    expect(await api.invoke('session.phase', 'visit')).toEqual({ ok: true, value: 'online' });
    expect(ipc.invoke).toHaveBeenLastCalledWith('kiosk:call:session.phase', 'visit');
  });

  it('refuses unknown channels without touching IPC and turns an IPC rejection into bridge_closed', async () => {
    const { buildKioskApi } = await import('./index');
    const ipc = Object.assign(new EventEmitter(), { invoke: vi.fn(async () => Promise.reject(new Error('gone'))) });
    const api = buildKioskApi(ipc as never);
    expect(await api.invoke('shell.exec' as 'hub.status')).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect(ipc.invoke).not.toHaveBeenCalled();
    expect(await api.invoke('hub.status')).toMatchObject({ ok: false, error: { code: 'bridge_closed' } });
  });

  it('delivers events without the IPC event object and unsubscribes', async () => {
    const { buildKioskApi } = await import('./index');
    const ipc = Object.assign(new EventEmitter(), { invoke: vi.fn() });
    const api = buildKioskApi(ipc as never);
    const got: unknown[][] = [];
    const off = api.on('session.reset', (...p) => got.push(p));
    ipc.emit('kiosk:event:session.reset', { sender: 'secret' }, 'renderer_crash');
    off();
    ipc.emit('kiosk:event:session.reset', { sender: 'secret' }, 'again');
    expect(got).toEqual([['renderer_crash']]);
    expect(api.on('nope' as 'hub.status', () => {})).toBeTypeOf('function');
    expect(eventNames.every((e) => ipc.listenerCount(`kiosk:event:${e}`) === 0)).toBe(true);
  });
});
