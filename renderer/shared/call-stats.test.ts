// Call quality from recorded Chromium getStats() reports (fixtures/: two snapshots one second apart on
// one side of a call where both send, recorded by `./vg bench turn 3 --record renderer/shared/fixtures`), then the
// same reports degraded by hand to cross each threshold.
import { describe, expect, it } from 'vitest';
import { computeQuality, DEFAULT_THRESHOLDS, QualityWarning, snapshotOf, type StatEntry, type StatsSnapshot } from './call-stats';
import direct from './fixtures/chromium-direct.json';
import relay from './fixtures/chromium-relay.json';

const fixtures = { 'chromium-direct.json': direct, 'chromium-relay.json': relay } as unknown as Record<string, StatEntry[][]>;
const load = (name: string): [StatsSnapshot, StatsSnapshot] => {
  const raw = fixtures[name]!;
  return [snapshotOf(raw[0]!), snapshotOf(raw[1]!)];
};

/** A copy of `s` with `patch` applied to the entries `match` selects. */
function patched(s: StatsSnapshot, match: (e: StatEntry) => boolean, patch: (e: StatEntry) => Partial<StatEntry>): StatsSnapshot {
  const out: StatsSnapshot = new Map();
  for (const [id, e] of s) out.set(id, match(e) ? ({ ...e, ...patch(e) } as StatEntry) : e);
  return out;
}
const inboundVideo = (e: StatEntry) => e.type === 'inbound-rtp' && e.kind === 'video';
const selected = (s: StatsSnapshot) => (e: StatEntry) => e.type === 'candidate-pair' && e.id === [...s.values()].find((t) => t.type === 'transport')?.selectedCandidatePairId;

describe('computeQuality on recorded Chromium reports', () => {
  it('reads a direct call: round trip, no loss, bitrate both ways, received resolution and frame rate', () => {
    const [a, b] = load('chromium-direct.json');
    const q = computeQuality(a, b);
    expect(q.relay).toBe(false);
    expect(q.transport).toBe('udp');
    expect(q.rttMs).toBeGreaterThanOrEqual(0);
    expect(q.rttMs).toBeLessThan(100);
    expect(q.lossInPct).toBe(0);
    expect(q.inKbps).toBeGreaterThan(50);
    // Both sides send, as in a call: what we send and what the other side reports losing are known too.
    expect(q.outKbps).toBeGreaterThan(50);
    expect(q.lossOutPct).not.toBeNull();
    expect(q.videoOut?.height).toBeGreaterThan(0);
    expect(q.videoIn?.width).toBeGreaterThan(0);
    expect(q.videoIn?.height).toBeGreaterThan(0);
    expect(q.videoIn?.fps).toBeGreaterThan(DEFAULT_THRESHOLDS.fpsPoor);
    expect(q.level).not.toBe('poor');
  });

  it('sees the relay on a call through coturn', () => {
    const [a, b] = load('chromium-relay.json');
    const q = computeQuality(a, b);
    expect(q.relay).toBe(true);
    expect(q.transport).toBe('udp');
    expect(q.inKbps).toBeGreaterThan(50);
  });

  it('knows no rate on the first sample, only what one report tells (the peer’s RTCP loss fraction among it)', () => {
    const [, b] = load('chromium-direct.json');
    const q = computeQuality(null, b);
    expect(q).toMatchObject({ lossInPct: null, lossOutPct: 0, inKbps: null, outKbps: null });
    const lossy = patched(b, (e) => e.type === 'remote-inbound-rtp' && e.kind === 'video', () => ({ fractionLost: 0.12 }));
    expect(computeQuality(null, lossy)).toMatchObject({ lossOutPct: 12, level: 'poor', reasons: ['loss'] });
    expect(q.rttMs).not.toBeNull();
    expect(q.videoIn?.height).toBeGreaterThan(0);
  });
});

describe('computeQuality thresholds', () => {
  const [a, b] = load('chromium-direct.json');

  it('a long round trip is fair past 300 ms and poor past 600 ms', () => {
    expect(computeQuality(a, patched(b, selected(b), () => ({ currentRoundTripTime: 0.35 })))).toMatchObject({ level: 'fair', reasons: ['rtt'] });
    const q = computeQuality(a, patched(b, selected(b), () => ({ currentRoundTripTime: 0.72 })));
    expect(q).toMatchObject({ level: 'poor', reasons: ['rtt'] });
    expect(q.rttMs).toBeCloseTo(720);
  });

  it('received loss is measured over the interval, not since the call began', () => {
    // 10 % of the interval's video packets lost: poor.
    const recv = (e: StatEntry) => Number(e.packetsReceived);
    const prevVideo = [...a.values()].find(inboundVideo)!;
    const prevAudio = [...a.values()].find((e) => e.type === 'inbound-rtp' && e.kind === 'audio')!;
    const curAudio = [...b.values()].find((e) => e.type === 'inbound-rtp' && e.kind === 'audio')!;
    const got = recv([...b.values()].find(inboundVideo)!) - recv(prevVideo) + recv(curAudio) - recv(prevAudio);
    const lost = Math.ceil(got / 9);
    const q = computeQuality(a, patched(b, inboundVideo, (e) => ({ packetsLost: Number(e.packetsLost) + lost })));
    expect(q.lossInPct).toBeGreaterThan(DEFAULT_THRESHOLDS.lossPoorPct);
    expect(q).toMatchObject({ level: 'poor', reasons: ['loss'] });
    // The same lost count already there in the previous sample: nothing new was lost.
    const both = computeQuality(patched(a, inboundVideo, (e) => ({ packetsLost: Number(e.packetsLost) + lost })), patched(b, inboundVideo, (e) => ({ packetsLost: Number(e.packetsLost) + lost })));
    expect(both.lossInPct).toBe(0);
  });

  it('a jerky picture is fair under 15 frames/s and poor under 8', () => {
    expect(computeQuality(a, patched(b, inboundVideo, () => ({ framesPerSecond: 12 })))).toMatchObject({ level: 'fair', reasons: ['fps'] });
    expect(computeQuality(a, patched(b, inboundVideo, () => ({ framesPerSecond: 5 })))).toMatchObject({ level: 'poor', reasons: ['fps'] });
  });

  it('derives the frame rate from decoded frames when the browser gives none', () => {
    const noFps = (s: StatsSnapshot) => patched(s, inboundVideo, () => ({ framesPerSecond: undefined }));
    const pa = noFps(a);
    const pb = patched(noFps(b), inboundVideo, (e) => ({ framesDecoded: Number([...pa.values()].find(inboundVideo)!.framesDecoded) + 10, timestamp: Number(e.timestamp) }));
    const seconds = (Number([...pb.values()].find(inboundVideo)!.timestamp) - Math.max(...[...pa.values()].map((e) => Number(e.timestamp) || 0))) / 1000;
    expect(computeQuality(pa, pb).videoIn?.fps).toBeCloseTo(10 / seconds, 5);
  });

  it('an audio-only call is not judged on frame rate', () => {
    const noVideo = (s: StatsSnapshot) => new Map([...s].filter(([, e]) => !(e.kind === 'video' && (e.type === 'inbound-rtp' || e.type === 'outbound-rtp'))));
    const q = computeQuality(noVideo(a), noVideo(b));
    expect(q.videoIn).toBeNull();
    expect(q.reasons).not.toContain('fps');
  });

  it('a counter that goes back (a new stream) gives no rate instead of a negative one', () => {
    const q = computeQuality(a, patched(b, (e) => e.type === 'inbound-rtp', () => ({ bytesReceived: 0 })));
    expect(q.inKbps).toBeNull();
  });

  it('several problems at once: the worst level, every reason', () => {
    const bad = patched(patched(b, selected(b), () => ({ currentRoundTripTime: 0.4 })), inboundVideo, () => ({ framesPerSecond: 4 }));
    expect(computeQuality(a, bad)).toMatchObject({ level: 'poor', reasons: ['rtt', 'fps'] });
  });
});

describe('snapshotOf', () => {
  it('flattens a maplike report and skips what is not a stat', () => {
    const report = new Map<string, unknown>([['x', { id: 'x', type: 'transport' }], ['junk', 3]]);
    expect([...snapshotOf(report).keys()]).toEqual(['x']);
  });
});

describe('QualityWarning', () => {
  it('comes on after three poor seconds in a row and goes off after five better ones', () => {
    const w = new QualityWarning();
    expect(['poor', 'poor', 'good', 'poor', 'poor'].map((l) => w.push(l as 'poor'))).toEqual([false, false, false, false, false]);
    expect(w.push('poor')).toBe(true);
    expect(['fair', 'good', 'good', 'good'].map((l) => w.push(l as 'good'))).toEqual([true, true, true, true]);
    expect(w.push('poor')).toBe(true); // a poor second resets the count towards "off"
    expect(['good', 'good', 'good', 'good', 'good'].map((l) => w.push(l as 'good'))).toEqual([true, true, true, true, false]);
  });
});
