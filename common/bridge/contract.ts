// The bridge contract, written once: main implements `BridgeHandlers`, preload and the browser
// runtime's WebSocket client expose `BridgeApi`. Each domain owns a section file; add a section by
// spreading it into `bridgeCalls` / `bridgeEvents` below.
import type { z } from 'zod';
import type { Result } from '../result';
import { coreCalls, coreEvents } from './core';
import { hardwareCalls, hardwareEvents } from './hardware';
import type { CallSpecs, EventSpecs } from './define';
import { outboxCalls } from './outbox';
import { enrollCalls, enrollEvents } from './enroll';

export const bridgeCalls = { ...coreCalls, ...outboxCalls, ...hardwareCalls, ...enrollCalls } satisfies CallSpecs;
export const bridgeEvents = { ...coreEvents, ...hardwareEvents, ...enrollEvents } satisfies EventSpecs;

export type BridgeCalls = typeof bridgeCalls;
export type BridgeEvents = typeof bridgeEvents;
export type CallName = keyof BridgeCalls;
export type EventName = keyof BridgeEvents;
export type CallArgs<K extends CallName> = z.infer<BridgeCalls[K]['args']>;
export type CallResult<K extends CallName> = z.infer<BridgeCalls[K]['result']>;
export type EventPayload<K extends EventName> = z.infer<BridgeEvents[K]>;

/** Main side: one handler per channel; args are already validated. Throw a VisioError to fail. */
export type BridgeHandlers = { [K in CallName]: (...args: CallArgs<K>) => Promise<CallResult<K>> | CallResult<K> };

/** Renderer side (`window.kiosk`): every call resolves to a Result, never throws. */
export interface BridgeApi {
  invoke<K extends CallName>(channel: K, ...args: CallArgs<K>): Promise<Result<CallResult<K>>>;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<K extends EventName>(event: K, listener: (...payload: EventPayload<K>) => void): () => void;
}

/** Main side: push an event to the renderer. */
export type EmitEvent = <K extends EventName>(event: K, ...payload: EventPayload<K>) => void;

export const callNames = Object.keys(bridgeCalls) as CallName[];
export const eventNames = Object.keys(bridgeEvents) as EventName[];
