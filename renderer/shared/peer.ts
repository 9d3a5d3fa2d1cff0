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

/**
 * How long the initiating side keeps restarting ICE after the media path went down before it reports
 * `failed` (60 s: the hub's resume window, server/dispatcher.ts; Jitsi waits about 65 s). The kiosk's side
 * never gives up by itself: its session machine bounds the wait (common/session CALL_RECOVERY_MS).
 */
export const ICE_RECOVERY_WINDOW_MS = 60_000;
/**
 * Between two ICE restarts (5 s): an offer sent while the hub link was also down is lost, so the next
 * one goes when it may be back; the first one after 2 s (ICE often recovers by itself from a blip).
 */
export const ICE_RESTART_EVERY_MS = 5_000;
const FIRST_RESTART_MS = 2_000;

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
  /** ICE restarts of the initiating side: period and give-up window (ms); defaults above. */
  recovery?: { everyMs?: number; windowMs?: number };
  /** The ICE servers a restart should use (TURN credentials are short-lived); default `iceServers`. */
  currentIceServers?: () => RTCIceServer[];
  /** Timers (tests drive them). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
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
  /** Restarts ICE now over signaling (initiating side; the other side asks it to). False when closed. */
  restartIce?(): boolean;
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

  // ---- ICE restart ------------------------------------------------------------------------
  // simple-peer has no ICE restart, and it destroys itself when ICE reports `failed`. We choose
  // `pc.restartIce()` plus simple-peer's own `negotiate()` (with `iceRestart` in its offer options for
  // engines without restartIce): the offer carries new ICE credentials, goes through the hub like any
  // signal, and simple-peer's renegotiation (answer, trickled candidates) does the rest; tracks, senders
  // and their parameters stay. The initiator (agent) restarts; the kiosk side answers. An offer lost
  // with the hub link is rolled back and sent again at the next tick.
  type Internals = { _pc?: RTCPeerConnection; _isNegotiating?: boolean; offerOptions?: RTCOfferOptions; negotiate?: () => void };
  const sp = peer as unknown as Internals;
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
  const everyMs = opts.recovery?.everyMs ?? ICE_RESTART_EVERY_MS;
  const windowMs = opts.recovery?.windowMs ?? ICE_RECOVERY_WINDOW_MS;
  let restartTimer: unknown;
  let giveUpTimer: unknown;
  let recovering = false;
  let restartPending = false;

  const restartIce = (): boolean => {
    const pc = sp._pc;
    if (destroyed || !pc || !opts.initiator || typeof sp.negotiate !== 'function') return false;
    void (async () => {
      // The previous restart's offer may never have reached the other side (hub link down too).
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' } as RTCSessionDescriptionInit).catch(() => {});
      if (destroyed) return;
      sp._isNegotiating = false;
      if (opts.currentIceServers) {
        try {
          pc.setConfiguration({ ...pc.getConfiguration(), iceServers: opts.currentIceServers() });
        } catch (err) {
          log('ICE servers not updated for the restart', err instanceof Error ? err.message : err);
        }
      }
      if (typeof pc.restartIce === 'function') pc.restartIce();
      sp.offerOptions = { ...sp.offerOptions, iceRestart: true };
      restartPending = true;
      sp.negotiate!();
    })().catch((err: unknown) => log('ICE restart failed', err instanceof Error ? err.message : err));
    return true;
  };

  const stopRecovery = (): void => {
    recovering = false;
    clearTimer(restartTimer);
    clearTimer(giveUpTimer);
    restartTimer = giveUpTimer = undefined;
  };

  const startRecovery = (): void => {
    if (recovering || destroyed) return;
    recovering = true;
    if (!opts.initiator) return; // the kiosk side waits for the agent's restart; its machine bounds the wait
    const tick = (): void => {
      restartTimer = undefined;
      if (!recovering || destroyed) return;
      log('media path down: restarting ICE');
      restartIce();
      restartTimer = setTimer(tick, everyMs);
    };
    restartTimer = setTimer(tick, Math.min(FIRST_RESTART_MS, everyMs));
    giveUpTimer = setTimer(() => {
      giveUpTimer = undefined;
      if (!recovering || destroyed) return;
      stopRecovery();
      log('media path not back within the recovery window');
      setState('failed');
    }, windowMs);
  };

  const onIce = (ice: RTCIceConnectionState): void => {
    if (ice === 'disconnected' || ice === 'failed') {
      // Before the first connect there is nothing to recover: `failed` ends the attempt.
      if (!everConnected) {
        if (ice === 'failed') setState('failed');
        return;
      }
      setState('reconnecting');
      startRecovery();
    } else if ((ice === 'connected' || ice === 'completed') && everConnected) {
      // ICE recovers on its own after a short drop, or through a restart; `connect` is the authority before.
      stopRecovery();
      setState('connected');
    }
  };

  // Keep simple-peer from destroying the connection on ICE `failed` once the call was up: a restart may
  // still bring it back. Its handler runs for every other state (and `failed` before the first connect).
  const pcAtStart = sp._pc;
  if (pcAtStart) {
    const original = pcAtStart.oniceconnectionstatechange;
    pcAtStart.oniceconnectionstatechange = function (this: RTCPeerConnection, ev: Event) {
      if (pcAtStart.iceConnectionState === 'failed' && everConnected && !destroyed && state !== 'failed') {
        onIce('failed');
        return;
      }
      return original?.call(this, ev);
    };
  }

  peer.on('signal', (data: unknown) => {
    if (destroyed) return;
    const d = data as Record<string, unknown>;
    if (restartPending && d.type === 'offer') {
      // This offer carried the restart: later renegotiations need not.
      restartPending = false;
      sp.offerOptions = { ...sp.offerOptions, iceRestart: false };
    }
    opts.onSignal(d);
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
  peer.on('iceStateChange', (ice: RTCIceConnectionState) => onIce(ice));
  // Without an `error` listener EventEmitter would throw out of a WebRTC callback.
  peer.on('error', (err: Error & { code?: string }) => {
    log('peer error', err.code ?? err.message);
    setState('failed');
  });
  peer.on('close', () => {
    stopRecovery();
    setState('closed');
  });

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
    restartIce,
    async getStats() {
      const pc = (peer as unknown as { _pc?: RTCPeerConnection })._pc;
      return destroyed || !pc ? null : pc.getStats();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      stopRecovery();
      peer.destroy();
      setState('closed');
    },
  };
}
