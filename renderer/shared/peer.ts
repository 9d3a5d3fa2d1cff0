// One WebRTC call leg over simple-peer, shared by the kiosk and the agent console. The wrapper owns
// the RTCPeerConnection only: the caller owns the local MediaStream and stops its tracks itself
// (the kiosk's reset and the console's teardown), so destroying a peer never turns a camera off.
import type SimplePeer from 'simple-peer';
import DefaultPeer from 'simple-peer/simplepeer.min.js';
import { VisioError } from '../../common/result';
import { tuneSenders } from './sender-params';

/** A microphone swap that could not happen (peer closed, no audio sender, or the browser refused). */
export class AudioTrackReplaceError extends VisioError {}

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
  /**
   * Sends `track` instead of the current microphone on the same RTCRtpSender (no renegotiation; the
   * mute state carries over). The caller stops the old track. Rejects with an AudioTrackReplaceError.
   */
  replaceAudioTrack(track: MediaStreamTrack): Promise<void>;
  /** Closes the connection; idempotent; leaves local tracks running. */
  destroy(): void;
  /** The connection's WebRTC statistics (the agent's call quality panel); null once closed. */
  getStats?(): Promise<RTCStatsReport | null>;
}

/** Creates a call leg; the returned handle is live immediately (state `connecting`). */
export function createCallPeer(opts: CallPeerOptions): CallPeer {
  const Peer = opts.Peer ?? DefaultPeer;
  const log = opts.log ?? ((m: string, d?: unknown) => console.warn(`[peer] ${m}`, d ?? ''));
  let state: CallPeerState | undefined;
  let destroyed = false;
  let everConnected = false;
  let muted = false;
  // The track our audio sender carries: the stream's microphone at first, then each replacement.
  let audioTrack: MediaStreamTrack | null = opts.stream.getAudioTracks()[0] ?? null;

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
    // Lower resolution before frame rate, voice first on the wire (renderer/shared/sender-params.ts).
    const pc = (peer as unknown as { _pc?: RTCPeerConnection })._pc;
    if (pc) {
      void tuneSenders(pc.getSenders()).then((r) => {
        const refused = r.filter((x) => !x.ok);
        if (refused.length > 0) log('sender parameters refused', refused);
      });
    }
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
    setMuted(next) {
      muted = next;
      for (const track of opts.stream.getAudioTracks()) track.enabled = !muted;
      if (audioTrack) audioTrack.enabled = !muted;
    },
    async replaceAudioTrack(track) {
      if (destroyed) throw new AudioTrackReplaceError('peer_closed', 'cannot replace the microphone of a closed call');
      if (track === audioTrack) return;
      // simple-peer's replaceTrack drops the promise of RTCRtpSender.replaceTrack (a failure would be an
      // unhandled rejection and the caller could not know when the switch happened), so the sender is
      // taken from its RTCPeerConnection and awaited here.
      const pc = (peer as unknown as { _pc?: RTCPeerConnection })._pc;
      const senders = pc?.getSenders() ?? [];
      // By identity first; the kiosk sends one microphone, so the audio sender is unambiguous otherwise.
      const sender = senders.find((s) => s.track !== null && s.track === audioTrack) ?? senders.find((s) => s.track?.kind === 'audio');
      if (!sender) throw new AudioTrackReplaceError('no_audio_sender', 'the call has no microphone sender to replace');
      track.enabled = !muted;
      try {
        await sender.replaceTrack(track);
      } catch (err) {
        throw new AudioTrackReplaceError('replace_failed', `microphone switch refused: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      audioTrack = track;
    },
    async getStats() {
      const pc = (peer as unknown as { _pc?: RTCPeerConnection })._pc;
      return destroyed || !pc ? null : pc.getStats();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      peer.destroy();
      setState('closed');
    },
  };
}
