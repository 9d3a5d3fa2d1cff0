// IPC channel names shared by the preload and main/electron (one place, so they cannot drift).
import type { CallName, EventName } from '../common/bridge/contract';

/** ipcMain.handle / ipcRenderer.invoke channel of one bridge call. */
export const ipcCallChannel = (name: CallName) => `kiosk:call:${name}`;
/** webContents.send / ipcRenderer.on channel of one bridge event. */
export const ipcEventChannel = (name: EventName) => `kiosk:event:${name}`;
