// One WebRTC call leg over simple-peer, shared by the kiosk and the agent console. The wrapper owns
// the RTCPeerConnection only: the caller owns the local MediaStream and stops its tracks itself
// (the kiosk's reset and the console's teardown), so destroying a peer never turns a camera off.
import type SimplePeer from 'simple-peer';
import DefaultPeer from 'simple-peer/simplepeer.min.js';

/** The simple-peer constructor (injectable: Node tests pass the package with `wrtc`). */
export type SimplePeerConstructor = SimplePeer.SimplePeer;

/** What the UI shows about the media path. `failed` and `closed` are terminal. */
export type CallPeerState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface CallPeerOptions {
  /** True on the side that sends the offer (the agent console). */
  initiator: boolean;
  /** Local camera + microphone; never stopped by the peer. */
  stream: MediaStream;
  /** STUN/TURN servers from the hub's `welcome` frame. */
  iceServers: RTCIceServer[];
  /** Called with each signal (offer/answer/candidate) to relay through the hub. */
  onSignal(data: Record<string, unknown>): void;
  /** Called once the other side's media arrives. */
  onRemoteStream(stream: MediaStream): void;
  /** Called on every state change, never twice in a row with the same state. */
  onState(state: CallPeerState): void;
  /** simple-peer constructor override (tests); defaults to the browser bundle. */
  Peer?: SimplePeerConstructor;
  /** WebRTC implementation for Node (`@roamhq/wrtc`); browsers leave it unset. */
  wrtc?: SimplePeer.Options['wrtc'];
  /** Where protocol oddities go (bad signal data); defaults to console.warn. */
  log?: (message: string, detail?: unknown) => void;
}

export interface CallPeer {
  /** Feeds a signal received from the other side; ignored after destroy. */
  signal(data: Record<string, unknown>): void;
  /** Mutes or unmutes the local microphone (track.enabled, so the sender keeps its slot). */
  setMuted(muted: boolean): void;
  /** Closes the connection; idempotent; leaves local tracks running. */
  destroy(): void;
}

/** Creates a call leg; the returned handle is live immediately (state `connecting`). */
export function createCallPeer(opts: CallPeerOptions): CallPeer {
  const Peer = opts.Peer ?? DefaultPeer;
  const log = opts.log ?? ((m: string, d?: unknown) => console.warn(`[peer] ${m}`, d ?? ''));
  let state: CallPeerState | undefined;
  let destroyed = false;
  let everConnected = false;

  const setState = (next: CallPeerState): void => {
    // Terminal states stick: simple-peer emits `error` then `close` on a failure, and the UI
    // must keep saying "failed", not flip to "closed".
    if (state === next || state === 'failed' || state === 'closed') return;
    state = next;
    opts.onState(next);
  };

  const peer = new Peer({
    initiator: opts.initiator,
    stream: opts.stream,
    config: { iceServers: opts.iceServers },
    trickle: true,
    ...(opts.wrtc ? { wrtc: opts.wrtc } : {}),
  });
  setState('connecting');

  peer.on('signal', (data: unknown) => {
    if (!destroyed) opts.onSignal(data as Record<string, unknown>);
  });
  peer.on('stream', (remote: MediaStream) => {
    if (!destroyed) opts.onRemoteStream(remote);
  });
  peer.on('connect', () => {
    everConnected = true;
    setState('connected');
  });
  peer.on('iceStateChange', (ice: RTCIceConnectionState) => {
    if (ice === 'disconnected') setState('reconnecting');
    else if (ice === 'failed') setState('failed');
    // ICE recovers on its own after a short network drop; only report it once the data path
    // was up at least once, otherwise `connect` is the authority.
    else if ((ice === 'connected' || ice === 'completed') && everConnected) setState('connected');
  });
  // Without an `error` listener EventEmitter would throw out of a WebRTC callback.
  peer.on('error', (err: Error & { code?: string }) => {
    log('peer error', err.code ?? err.message);
    setState('failed');
  });
  peer.on('close', () => setState('closed'));

  return {
    signal(data) {
      if (destroyed) return;
      try {
        peer.signal(data as unknown as SimplePeer.SignalData);
      } catch (err) {
        // A malformed or late signal from the other side must not take the call down.
        log('signal rejected', err instanceof Error ? err.message : err);
      }
    },
    setMuted(muted) {
      for (const track of opts.stream.getAudioTracks()) track.enabled = !muted;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      peer.destroy();
      setState('closed');
    },
  };
}
