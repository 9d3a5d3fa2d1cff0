// Two real WebRTC peers in Node (@roamhq/wrtc) through the same simple-peer bundle the browser
// loads, plus a scripted fake peer for the state mapping that real ICE cannot be forced into.
import { describe, expect, it } from 'vitest';
import wrtc from '@roamhq/wrtc';
import { createCallPeer, ICE_RECOVERY_WINDOW_MS, type CallPeerState, type SimplePeerConstructor } from './peer';

type Listener = (...args: unknown[]) => void;

function liveVideoStream(): { stream: MediaStream; stop(): void } {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const width = 64;
  const height = 48;
  const data = new Uint8Array(width * height * 1.5);
  // Feed frames so the receiver has something to decode.
  const timer = setInterval(() => source.onFrame({ width, height, data }), 40);
  return {
    stream: new wrtc.MediaStream([track]) as unknown as MediaStream,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}

function until(check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > 15_000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('createCallPeer over @roamhq/wrtc', () => {
  it('connects two peers, delivers the track, reports states, destroy is idempotent and keeps local tracks', async () => {
    const a = liveVideoStream();
    const b = liveVideoStream();
    const statesA: CallPeerState[] = [];
    const statesB: CallPeerState[] = [];
    const remoteA: MediaStream[] = [];
    const remoteB: MediaStream[] = [];
    const wrtcImpl = wrtc as never;
    // eslint-disable-next-line prefer-const -- the two peers reference each other's signal()
    let answerer: ReturnType<typeof createCallPeer> | undefined;
    const offerer = createCallPeer({
      initiator: true,
      stream: a.stream,
      iceServers: [],
      wrtc: wrtcImpl,
      onSignal: (d) => answerer?.signal(JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
      onRemoteStream: (s) => remoteA.push(s),
      onState: (s) => statesA.push(s),
    });
    answerer = createCallPeer({
      initiator: false,
      stream: b.stream,
      iceServers: [],
      wrtc: wrtcImpl,
      // JSON round trip = what the hub relay does to every signal.
      onSignal: (d) => offerer.signal(JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
      onRemoteStream: (s) => remoteB.push(s),
      onState: (s) => statesB.push(s),
    });
    try {
      await until(() => statesA.includes('connected') && statesB.includes('connected'), 'both connected');
      await until(() => remoteA.length > 0 && remoteB.length > 0, 'remote streams');
      expect(remoteA[0]!.getVideoTracks()).toHaveLength(1);
      expect(remoteB[0]!.getVideoTracks()).toHaveLength(1);
      expect(statesA[0]).toBe('connecting');
      expect(statesB[0]).toBe('connecting');

      offerer.destroy();
      offerer.destroy();
      expect(statesA.filter((s) => s === 'closed')).toHaveLength(1);
      expect(statesA.at(-1)).toBe('closed');
      // The stream's owner stops it, not the peer.
      expect(a.stream.getVideoTracks()[0]!.readyState).toBe('live');
      await until(() => statesB.at(-1) === 'closed' || statesB.at(-1) === 'reconnecting' || statesB.at(-1) === 'failed', 'other side notices');
    } finally {
      offerer.destroy();
      answerer.destroy();
      a.stop();
      b.stop();
    }
  });
});

/** An audio track fed 10 ms frames: silence, or a loud square wave (told apart at the far end by level). */
function audioSource(loud: boolean): { track: MediaStreamTrack; stop(): void } {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const samples = new Int16Array(480);
  if (loud) for (let i = 0; i < samples.length; i++) samples[i] = i % 48 < 24 ? 12_000 : -12_000;
  const timer = setInterval(() => source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }), 10);
  return {
    track: track as unknown as MediaStreamTrack,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}

describe('replaceAudioTrack over @roamhq/wrtc', () => {
  it('switches the microphone on the live call without renegotiation; the far end hears the new one; mute carries over', async () => {
    const video = liveVideoStream();
    const booth = audioSource(false);
    const handset = audioSource(true);
    const kioskStream = new wrtc.MediaStream([...video.stream.getTracks(), booth.track] as never) as unknown as MediaStream;
    const other = liveVideoStream();
    const states: CallPeerState[] = [];
    const remote: MediaStream[] = [];
    const sdpFromKiosk: string[] = [];
    const wrtcImpl = wrtc as never;
    // eslint-disable-next-line prefer-const -- the two peers reference each other's signal()
    let kiosk: ReturnType<typeof createCallPeer> | undefined;
    const agent = createCallPeer({
      initiator: true,
      stream: other.stream,
      iceServers: [],
      wrtc: wrtcImpl,
      onSignal: (d) => kiosk?.signal(JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
      onRemoteStream: (s) => remote.push(s),
      onState: () => {},
    });
    kiosk = createCallPeer({
      initiator: false,
      stream: kioskStream,
      iceServers: [],
      wrtc: wrtcImpl,
      onSignal: (d) => {
        if (typeof d.type === 'string' && d.type !== 'candidate') sdpFromKiosk.push(d.type);
        agent.signal(JSON.parse(JSON.stringify(d)) as Record<string, unknown>);
      },
      onRemoteStream: () => {},
      onState: (s) => states.push(s),
    });
    // Peak level of what the agent receives, reset on demand.
    let peak = 0;
    let frames = 0;
    let sink: { stop(): void; ondata: ((d: { samples: Int16Array }) => void) | null } | undefined;
    try {
      await until(() => states.includes('connected') && remote.length > 0 && remote[0]!.getAudioTracks().length > 0, 'connected with audio');
      sink = new wrtc.nonstandard.RTCAudioSink(remote[0]!.getAudioTracks()[0] as never) as unknown as typeof sink;
      sink!.ondata = (d) => {
        frames++;
        for (const v of d.samples) peak = Math.max(peak, Math.abs(v));
      };
      // The booth microphone is silent: the agent hears (near) nothing.
      await until(() => frames > 30, 'audio frames from the booth microphone');
      expect(peak).toBeLessThan(1_000);
      const negotiations = sdpFromKiosk.length;

      await kiosk.replaceAudioTrack(handset.track);
      booth.stop();
      await until(() => peak > 5_000, 'the handset tone at the far end');
      expect(sdpFromKiosk).toHaveLength(negotiations);
      expect(states.at(-1)).toBe('connected');

      // Mute state follows the microphone in use, including across a later switch back.
      kiosk.setMuted(true);
      expect(handset.track.enabled).toBe(false);
      const back = audioSource(false);
      await kiosk.replaceAudioTrack(back.track);
      expect(back.track.enabled).toBe(false);
      back.stop();
    } finally {
      sink?.stop();
      kiosk.destroy();
      agent.destroy();
      video.stop();
      other.stop();
      booth.stop();
      handset.stop();
    }
    await expect(kiosk.replaceAudioTrack(audioSource(false).track)).rejects.toMatchObject({ code: 'peer_closed' });
  });
});

/** A scripted stand-in for simple-peer: records calls and lets the test emit events. */
function fakePeerClass() {
  const instances: FakePeer[] = [];
  class FakePeer {
    listeners = new Map<string, Listener[]>();
    signals: unknown[] = [];
    destroyed = 0;
    constructor(readonly opts: Record<string, unknown>) {
      instances.push(this);
    }
    on(event: string, fn: Listener): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
      return this;
    }
    emit(event: string, ...args: unknown[]): void {
      for (const fn of this.listeners.get(event) ?? []) fn(...args);
    }
    signal(data: unknown): void {
      if ((data as { bad?: boolean }).bad) throw new Error('bad signal');
      this.signals.push(data);
    }
    destroy(): void {
      this.destroyed++;
      this.emit('close');
    }
  }
  return { Peer: FakePeer as unknown as SimplePeerConstructor, instances };
}

function fakeStream(): MediaStream {
  const audio = { kind: 'audio', enabled: true, stop() {} };
  return { getAudioTracks: () => [audio], getTracks: () => [audio] } as unknown as MediaStream;
}

describe('createCallPeer state mapping', () => {
  const setup = () => {
    const { Peer, instances } = fakePeerClass();
    const states: CallPeerState[] = [];
    const logs: string[] = [];
    const stream = fakeStream();
    const peer = createCallPeer({
      initiator: true,
      stream,
      iceServers: [{ urls: 'stun:example.invalid' }],
      Peer,
      onSignal: () => {},
      onRemoteStream: () => {},
      onState: (s) => states.push(s),
      log: (m) => logs.push(m),
    });
    return { peer, fake: instances[0]!, states, logs, stream };
  };

  it('passes initiator, stream and ICE servers to simple-peer', () => {
    const { fake, stream } = setup();
    expect(fake.opts).toMatchObject({ initiator: true, stream, config: { iceServers: [{ urls: 'stun:example.invalid' }] } });
  });

  it('maps ICE disconnected -> reconnecting and back to connected', () => {
    const { fake, states } = setup();
    fake.emit('connect');
    fake.emit('iceStateChange', 'disconnected', 'complete');
    fake.emit('iceStateChange', 'connected', 'complete');
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('maps ICE failed -> failed and keeps it through the following error and close', () => {
    const { fake, states, logs } = setup();
    fake.emit('iceStateChange', 'failed', 'complete');
    fake.emit('error', Object.assign(new Error('Ice connection failed.'), { code: 'ERR_ICE_CONNECTION_FAILURE' }));
    fake.emit('close');
    expect(states).toEqual(['connecting', 'failed']);
    expect(logs).toEqual(['peer error']);
  });

  it('maps a remote close to closed; destroy is idempotent', () => {
    const { peer, fake, states } = setup();
    fake.emit('connect');
    peer.destroy();
    peer.destroy();
    expect(fake.destroyed).toBe(1);
    expect(states).toEqual(['connecting', 'connected', 'closed']);
  });

  it('ignores signals after destroy and logs malformed ones instead of throwing', () => {
    const { peer, fake, logs } = setup();
    peer.signal({ bad: true });
    expect(logs).toEqual(['signal rejected']);
    peer.signal({ type: 'offer', sdp: 'x' });
    peer.destroy();
    peer.signal({ type: 'offer', sdp: 'y' });
    expect(fake.signals).toEqual([{ type: 'offer', sdp: 'x' }]);
  });

  it('replaceAudioTrack without an audio sender rejects with a named error', async () => {
    const { peer } = setup();
    const track = { kind: 'audio', enabled: true } as unknown as MediaStreamTrack;
    await expect(peer.replaceAudioTrack(track)).rejects.toMatchObject({ code: 'no_audio_sender', name: 'AudioTrackReplaceError' });
  });

  it('mutes by disabling the audio tracks without stopping them', () => {
    const { peer, stream } = setup();
    peer.setMuted(true);
    expect(stream.getAudioTracks()[0]!.enabled).toBe(false);
    peer.setMuted(false);
    expect(stream.getAudioTracks()[0]!.enabled).toBe(true);
  });
});

describe('ICE restart over @roamhq/wrtc', () => {
  it('the initiator restarts ICE through signaling: new ICE credentials, the call stays connected; a lost restart offer is rolled back and sent again', async () => {
    const a = liveVideoStream();
    const b = liveVideoStream();
    const statesA: CallPeerState[] = [];
    const statesB: CallPeerState[] = [];
    const offers: string[] = [];
    let dropNextOffer = false;
    const wrtcImpl = wrtc as never;
    // eslint-disable-next-line prefer-const -- the two peers reference each other's signal()
    let answerer: ReturnType<typeof createCallPeer> | undefined;
    const offerer = createCallPeer({
      initiator: true,
      stream: a.stream,
      iceServers: [],
      wrtc: wrtcImpl,
      log: () => {},
      onSignal: (d) => {
        if (d.type === 'offer') {
          offers.push(String(d.sdp));
          // The hub link is down: this offer never reaches the other side.
          if (dropNextOffer) return void (dropNextOffer = false);
        }
        answerer?.signal(JSON.parse(JSON.stringify(d)) as Record<string, unknown>);
      },
      onRemoteStream: () => {},
      onState: (s) => statesA.push(s),
    });
    answerer = createCallPeer({
      initiator: false,
      stream: b.stream,
      iceServers: [],
      wrtc: wrtcImpl,
      log: () => {},
      onSignal: (d) => offerer.signal(JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
      onRemoteStream: () => {},
      onState: (s) => statesB.push(s),
    });
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    try {
      await until(() => statesA.includes('connected') && statesB.includes('connected'), 'both connected');
      expect(offers).toHaveLength(1);
      dropNextOffer = true;
      expect(offerer.restartIce!()).toBe(true);
      await until(() => offers.length === 2, 'the restart offer');
      expect(ufrag(offers[1]!)).not.toBe(ufrag(offers[0]!));
      // Sent again (rolled back first, or simple-peer would wait forever for the lost offer's answer).
      expect(offerer.restartIce!()).toBe(true);
      await until(() => offers.length === 3, 'the second restart offer');
      expect(ufrag(offers[2]!)).not.toBe(ufrag(offers[0]!));
      await until(() => statesA.at(-1) === 'connected' && statesB.at(-1) === 'connected', 'connected after the restart');
      expect(statesA.filter((s) => s === 'failed' || s === 'closed')).toEqual([]);
      expect(answerer.restartIce!()).toBe(false); // the answering side never restarts by itself
    } finally {
      offerer.destroy();
      answerer.destroy();
      a.stop();
      b.stop();
    }
  });
});

describe('ICE recovery timing (scripted peer connection)', () => {
  function scripted(initiator: boolean) {
    const { Peer, instances } = fakePeerClass();
    const timers = new Map<number, { at: number; fn: () => void }>();
    let now = 0;
    let id = 0;
    const pc = {
      iceConnectionState: 'new' as RTCIceConnectionState,
      signalingState: 'stable' as RTCSignalingState,
      restarts: 0,
      rollbacks: 0,
      originalCalls: 0,
      oniceconnectionstatechange: null as unknown as (ev: Event) => void,
      restartIce() {
        this.restarts++;
      },
      async setLocalDescription(d: { type: string }) {
        if (d.type === 'rollback') this.rollbacks++;
        this.signalingState = 'stable';
      },
      getConfiguration: () => ({}),
      setConfiguration() {},
      getSenders: () => [],
    };
    // simple-peer installs its own handler at construction; this one stands for it.
    const OriginalPeer = Peer as unknown as new (o: Record<string, unknown>) => Record<string, unknown>;
    class WithPc extends OriginalPeer {
      _pc = pc;
      negotiations = 0;
      offerOptions: Record<string, unknown> = {};
      constructor(o: Record<string, unknown>) {
        super(o);
        pc.oniceconnectionstatechange = () => {
          pc.originalCalls++;
        };
      }
      negotiate() {
        this.negotiations++;
        pc.signalingState = 'have-local-offer';
      }
    }
    const states: CallPeerState[] = [];
    const peer = createCallPeer({
      initiator,
      stream: fakeStream(),
      iceServers: [],
      Peer: WithPc as unknown as SimplePeerConstructor,
      onSignal: () => {},
      onRemoteStream: () => {},
      onState: (s) => states.push(s),
      log: () => {},
      setTimer: (fn, ms) => (timers.set(++id, { at: now + ms, fn }), id),
      clearTimer: (h) => void timers.delete(h as number),
    });
    const fake = instances[0] as unknown as { emit(e: string, ...a: unknown[]): void; negotiations: number; offerOptions: Record<string, unknown>; destroyed: number };
    const advance = async (ms: number) => {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((x, y) => x[1].at - y[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await new Promise((r) => setTimeout(r, 0));
      }
      now = end;
    };
    const ice = (s: RTCIceConnectionState) => {
      pc.iceConnectionState = s;
      pc.oniceconnectionstatechange(new Event('iceconnectionstatechange'));
      if (s !== 'failed' || pc.originalCalls > 0) fake.emit('iceStateChange', s, 'complete');
    };
    return { peer, fake, pc, states, advance, ice };
  }

  it('after the call was up, ICE failed is not the end: restarts every 5 s (rolling back an unanswered offer) until it is back', async () => {
    const s = scripted(true);
    s.fake.emit('connect');
    s.ice('failed');
    expect(s.pc.originalCalls).toBe(0); // simple-peer would have destroyed the connection
    expect(s.fake.destroyed).toBe(0);
    expect(s.states).toEqual(['connecting', 'connected', 'reconnecting']);
    await s.advance(1_999);
    expect(s.pc.restarts).toBe(0);
    await s.advance(1);
    expect([s.pc.restarts, s.fake.negotiations, s.fake.offerOptions.iceRestart]).toEqual([1, 1, true]);
    await s.advance(5_000);
    expect([s.pc.restarts, s.pc.rollbacks]).toEqual([2, 1]);
    s.ice('connected');
    expect(s.states.at(-1)).toBe('connected');
    await s.advance(120_000);
    expect(s.pc.restarts).toBe(2);
    expect(s.states.at(-1)).toBe('connected');
  });

  it('gives up after the recovery window with failed; the answering side never restarts nor gives up by itself', async () => {
    const s = scripted(true);
    s.fake.emit('connect');
    s.ice('disconnected');
    await s.advance(ICE_RECOVERY_WINDOW_MS - 1);
    expect(s.states.at(-1)).toBe('reconnecting');
    await s.advance(1);
    expect(s.states.at(-1)).toBe('failed');
    const restarts = s.pc.restarts;
    await s.advance(60_000);
    expect(s.pc.restarts).toBe(restarts);

    const k = scripted(false);
    k.fake.emit('connect');
    k.ice('failed');
    await k.advance(10 * ICE_RECOVERY_WINDOW_MS);
    expect(k.states).toEqual(['connecting', 'connected', 'reconnecting']);
    expect(k.pc.restarts).toBe(0);
  });

  it('ICE failed before the first connect still ends the attempt (simple-peer handles it)', () => {
    const s = scripted(true);
    s.ice('failed');
    expect(s.pc.originalCalls).toBe(1);
  });
});
