import type { BridgeHandlers, CallName } from './contract';
import { bridgeCalls } from './contract';
import type { Result } from '../result';
import { toErrorInfo } from '../result';

/**
 * Browser runtime only: the frame the page sends every couple of seconds from its own event loop
 * so main can tell a hung or crashed page from a quiet one (main/runtime/browser-runtime.ts).
 */
export const BRIDGE_HEARTBEAT_FRAME = '{"heartbeat":true}';

/**
 * The single main-side entry for a bridge call, shared by Electron's ipcMain.handle and the
 * browser runtime's WebSocket: validates the channel and arguments, runs the handler, and turns
 * every outcome into a Result value.
 */
export async function dispatchBridgeCall(handlers: BridgeHandlers, channel: unknown, args: unknown): Promise<Result<unknown>> {
  if (typeof channel !== 'string' || !Object.hasOwn(bridgeCalls, channel)) {
    return { ok: false, error: { code: 'unknown_channel', message: `Unknown bridge channel ${String(channel).slice(0, 64)}` } };
  }
  const spec = bridgeCalls[channel as CallName];
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_args', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
  }
  try {
    const handler = handlers[channel as CallName] as (...a: unknown[]) => unknown;
    const value = await handler(...(parsed.data as unknown[]));
    return { ok: true, value: value === undefined ? null : value };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
