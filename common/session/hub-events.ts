import type { HubLinkStatus } from '../bridge/core';
import type { HubToKiosk } from '../protocol';
import type { SessionEvent } from './types';

/** Maps one validated hub frame to a session event; frames the visit does not care about give null. */
export function hubFrameToEvent(frame: HubToKiosk): SessionEvent | null {
  switch (frame.type) {
    case 'call.queued':
      return { type: 'call.queued', callId: frame.callId, requestId: frame.requestId, position: frame.position, estimateSeconds: frame.estimateSeconds, noAgent: frame.noAgent === true };
    case 'queue.update':
      return { type: 'queue.update', callId: frame.callId, position: frame.position, estimateSeconds: frame.estimateSeconds, noAgent: frame.noAgent === true };
    case 'call.accepted':
      return { type: 'call.accepted', callId: frame.callId, agentName: frame.agentName };
    case 'signal':
      return { type: 'call.signal', callId: frame.callId, data: frame.data };
    case 'call.resume':
      return { type: 'call.resumed', callId: frame.callId };
    case 'call.ended':
      return { type: 'call.ended', callId: frame.callId, reason: frame.reason };
    case 'error':
      return frame.ref === undefined ? { type: 'hub.error', code: frame.code } : { type: 'hub.error', code: frame.code, ref: frame.ref };
    case 'welcome':
    case 'ice.servers': // fresh TURN credentials: the renderer's ICE list keeps them for the next call
    case 'catalog': // main checks the booth's services against it; the visit does not need it
    case 'config.push': // main applies it between visits (main/services/config-live.ts); the page reloads at attract
    case 'pong':
    case 'chat.message': // text in the call: the kiosk's chat store (renderer/kiosk/chat) handles these
    case 'chat.status':
      return null;
    default: {
      const never: never = frame;
      return never;
    }
  }
}

/** The hub link status event main pushes to the renderer. */
export const hubStatusEvent = (status: HubLinkStatus): SessionEvent => ({ type: 'hub.status', status });
