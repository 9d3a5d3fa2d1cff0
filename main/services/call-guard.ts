// Reset hygiene (no ghost call left at the hub): main sees every frame between the renderer and the hub, so it
// knows whether this kiosk has a call the hub is holding. When the visit ends without the
// renderer releasing that call (page reload, renderer crash, main's resetVisit), main sends
// call.cancel / call.end itself, so the hub never keeps a ghost call that makes the next
// call.request fail with `conflict`.
import type { EndReason, HubToKiosk } from '../../common/protocol';
import type { HubLinkStatus } from '../../common/bridge/core';
import type { OutgoingFrame } from './hub-link';
import type { Logger } from './log';
import { silentLogger } from './log';

/** The call this kiosk holds at the hub, as far as main has seen. */
export interface TrackedCall {
  /** The renderer's request id (known as soon as call.request goes out). */
  requestId: string;
  /** The hub's call id (known from call.queued). */
  callId: string | null;
  /** An agent accepted it (so leaving is call.end, not call.cancel). */
  accepted: boolean;
}

export interface CallGuard {
  /** The live call, or null. */
  readonly current: TrackedCall | null;
  /** Before a renderer frame goes to the hub: a new call.request first releases any older call still held. */
  beforeSend(frame: OutgoingFrame): void;
  /** After a renderer frame went out: track a request, forget a call the renderer released itself. */
  sent(frame: OutgoingFrame): void;
  /** Every validated frame from the hub. */
  received(frame: HubToKiosk): void;
  /** Hub link status: when the socket drops, the hub ends the call itself (peer_lost). */
  linkStatus(status: HubLinkStatus): void;
  /** The visit is over for main: make the hub forget our call (now, or as soon as its id is known). Returns what was sent. */
  release(reason: string): OutgoingFrame | null;
}

export interface CallGuardDeps {
  /** Sends to the hub; may throw when offline (then the hub will end the call when our socket closes). */
  send(frame: OutgoingFrame): void;
  log?: Logger;
  /** Reason given to the agent when main hangs up an accepted call (default peer_lost: the kiosk page went away). */
  endReason?: EndReason;
}

/** Requests released before the hub named their call; cancelled when call.queued arrives. Bounded. */
const MAX_ABANDONED = 16;

export function createCallGuard(deps: CallGuardDeps): CallGuard {
  const log = deps.log ?? silentLogger;
  let current: TrackedCall | null = null;
  const abandoned: string[] = [];

  const trySend = (frame: OutgoingFrame, why: string): OutgoingFrame | null => {
    try {
      deps.send(frame);
      log.warn({ type: frame.type, why }, 'released a call the renderer left behind');
      return frame;
    } catch (err) {
      // Offline: our socket is down, and the hub ends a kiosk's call when its socket closes.
      log.info({ why, err: String(err) }, 'could not release call (hub link down; the hub ends it with the socket)');
      return null;
    }
  };

  const release = (reason: string): OutgoingFrame | null => {
    const call = current;
    if (!call) return null;
    current = null;
    if (call.callId === null) {
      abandoned.push(call.requestId);
      if (abandoned.length > MAX_ABANDONED) abandoned.shift();
      log.info({ requestId: call.requestId, reason }, 'call released before the hub queued it; will cancel on call.queued');
      return null;
    }
    const frame: OutgoingFrame = call.accepted
      ? { type: 'call.end', callId: call.callId, reason: deps.endReason ?? 'peer_lost' }
      : { type: 'call.cancel', callId: call.callId };
    return trySend(frame, reason);
  };

  return {
    get current() {
      return current ? { ...current } : null;
    },
    beforeSend(frame) {
      if (frame.type === 'call.request' && current && current.requestId !== frame.requestId) release('superseded');
    },
    sent(frame) {
      switch (frame.type) {
        case 'call.request':
          current = { requestId: frame.requestId, callId: null, accepted: false };
          return;
        case 'call.cancel':
        case 'call.end':
          if (current && current.callId === frame.callId) current = null;
          return;
        default:
          return;
      }
    },
    received(frame) {
      switch (frame.type) {
        case 'call.queued': {
          const i = abandoned.indexOf(frame.requestId);
          if (i >= 0) {
            abandoned.splice(i, 1);
            trySend({ type: 'call.cancel', callId: frame.callId }, 'abandoned_before_queued');
            return;
          }
          if (current && current.requestId === frame.requestId) current.callId = frame.callId;
          return;
        }
        case 'call.accepted':
          if (current && current.callId === frame.callId) current.accepted = true;
          return;
        case 'call.ended':
          if (current && current.callId === frame.callId) current = null;
          return;
        case 'error':
          // The hub refused our request (conflict, invalid): no call exists for it.
          if (frame.ref === 'call.request' && current && current.callId === null) current = null;
          return;
        default:
          return;
      }
    },
    linkStatus(status) {
      if (status === 'online') return;
      // A call still in line died with the socket; an accepted one is kept by the hub for its resume
      // window (server/dispatcher.ts) and re-attached when the link is back, so it is still ours to release.
      if (!current?.accepted) current = null;
      abandoned.length = 0;
    },
    release,
  };
}
