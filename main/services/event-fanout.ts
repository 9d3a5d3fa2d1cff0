import type { EmitEvent, EventName, EventPayload } from '../../common/bridge/contract';
import type { Logger } from './log';

/** A listener of the bridge's events (main → renderer pushes). */
export type BridgeEventListener = (event: EventName, payload: unknown[]) => void;

/** The set of bridge event listeners and the `emit` that feeds them; one listener throwing never stops the others. */
export function createEventFanout(log: Logger): { listeners: Set<BridgeEventListener>; emit: EmitEvent } {
  const listeners = new Set<BridgeEventListener>();
  const emit: EmitEvent = <K extends EventName>(event: K, ...payload: EventPayload<K>) => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (err) {
        log.error({ event, err: String(err) }, 'bridge event listener threw');
      }
    }
  };
  return { listeners, emit };
}
