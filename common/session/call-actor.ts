import { fromCallback } from 'xstate';
import type { IceServer } from '../protocol';
import type { CallActorEvent, CallActorInput } from './machine';

/** What the peer reports (renderer/shared/peer.ts `onState`). */
export type PeerState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** The handle of one WebRTC peer (renderer/shared/peer.ts `createCallPeer`). */
export interface CallPeer {
  /** Feed a signal from the other side. */
  signal(data: Record<string, unknown>): void;
  /** Mute or unmute the local microphone. */
  setMuted(muted: boolean): void;
  /** Close the connection; no callbacks afterwards. */
  destroy(): void;
}

/** Options of the peer factory; `S` is the media stream type (MediaStream in the renderer). */
export interface CallPeerOptions<S> {
  /** The kiosk never initiates: the agent sends the offer after accepting. */
  initiator: boolean;
  /** Local camera + microphone. */
  stream: S;
  /** STUN/TURN servers (from the hub's welcome). */
  iceServers: IceServer[];
  /** A signal to relay to the other side. */
  onSignal(data: Record<string, unknown>): void;
  /** The agent's media arrived. */
  onRemoteStream(stream: S): void;
  /** Connection state changes. */
  onState(state: PeerState): void;
}

/** Everything the call actor needs, injected (tests pass fakes). */
export interface CallActorDeps<S> {
  /** The local stream acquired at the device check (may still be settling, hence the promise). */
  getLocalStream(): S | Promise<S>;
  /** Creates the WebRTC peer. */
  createPeer(opts: CallPeerOptions<S>): CallPeer;
  /** ICE servers to use for this call. */
  iceServers(): IceServer[];
  /** Relay a local signal to the agent through the hub. */
  sendSignal(callId: string, data: Record<string, unknown>): void;
  /** Show the agent's stream (or null when the call is over). */
  showRemote(stream: S | null): void;
}

/**
 * The `call` actor: one peer per accepted call. Signals that arrive before the peer exists (the
 * local stream may still be resolving) are buffered in order; stopping the actor destroys the peer.
 */
export function createCallActor<S>(deps: CallActorDeps<S>) {
  return fromCallback<CallActorEvent, CallActorInput>(({ input, sendBack, receive }) => {
    let peer: CallPeer | null = null;
    let stopped = false;
    let muted = input.muted;
    const pending: Record<string, unknown>[] = [...input.earlySignals];

    receive((event) => {
      if (event.type === 'signal') {
        if (peer) peer.signal(event.data);
        else pending.push(event.data);
      } else {
        muted = event.muted;
        peer?.setMuted(muted);
      }
    });

    const start = (stream: S) => {
      if (stopped) return;
      try {
        peer = deps.createPeer({
          initiator: false,
          stream,
          iceServers: deps.iceServers(),
          onSignal: (data) => deps.sendSignal(input.callId, data),
          onRemoteStream: (remote) => {
            if (!stopped) deps.showRemote(remote);
          },
          onState: (state) => {
            if (stopped) return;
            if (state === 'connected') sendBack({ type: 'call.connected' });
            else if (state === 'reconnecting') sendBack({ type: 'call.reconnecting' });
            else if (state === 'failed') sendBack({ type: 'call.failed', reason: 'dropped' });
            else if (state === 'closed') sendBack({ type: 'call.peerClosed' });
          },
        });
      } catch {
        sendBack({ type: 'call.failed', reason: 'error' });
        return;
      }
      if (muted) peer.setMuted(true);
      for (const data of pending.splice(0)) peer.signal(data);
    };

    Promise.resolve()
      .then(() => deps.getLocalStream())
      .then(start, () => {
        if (!stopped) sendBack({ type: 'call.failed', reason: 'error' });
      });

    return () => {
      stopped = true;
      const p = peer;
      peer = null;
      pending.length = 0;
      deps.showRemote(null);
      p?.destroy();
    };
  });
}
