// Call quality from WebRTC statistics: pure computation from two getStats() snapshots taken about a
// second apart (rates need a previous sample), so it is unit tested with recorded report shapes and
// runs the same on the agent console and in benches. No DOM, no timers.
//
// Thresholds (why these numbers): ITU-T G.114 puts conversational one-way delay comfortably under
// 150 ms and still acceptable to 400 ms, so a round trip above 300 ms starts to feel late and above
// 600 ms people talk over each other. Opus and the video codecs conceal a few percent of loss; past
// 2 % speech gets choppy and past 8 % video freezes. Below 15 frames/s a face looks jerky and lip
// reading (deaf citizens) suffers; below 8 it is a slide show.

/** One statistics object as getStats() gives it (fields vary by type and browser). */
export type StatEntry = { id: string; type: string; timestamp?: number } & Record<string, unknown>;
/** A report flattened to entries by id (RTCStatsReport is a maplike of these). */
export type StatsSnapshot = Map<string, StatEntry>;

/** Flattens an RTCStatsReport (or any maplike/iterable of stats) into a plain snapshot. */
export function snapshotOf(report: { forEach(cb: (value: unknown) => void): void } | Iterable<StatEntry>): StatsSnapshot {
  const out: StatsSnapshot = new Map();
  const add = (v: unknown) => {
    const e = v as StatEntry;
    if (e && typeof e.id === 'string' && typeof e.type === 'string') out.set(e.id, { ...e });
  };
  if ('forEach' in report && typeof report.forEach === 'function') report.forEach(add);
  else for (const v of report as Iterable<StatEntry>) add(v);
  return out;
}

/** Limits above/below which the quality is `fair` or `poor`. */
export interface QualityThresholds {
  rttFairMs: number;
  rttPoorMs: number;
  lossFairPct: number;
  lossPoorPct: number;
  fpsFair: number;
  fpsPoor: number;
}

export const DEFAULT_THRESHOLDS: QualityThresholds = { rttFairMs: 300, rttPoorMs: 600, lossFairPct: 2, lossPoorPct: 8, fpsFair: 15, fpsPoor: 8 };

export type QualityLevel = 'good' | 'fair' | 'poor';
/** What made the level drop (one entry per measure over its threshold). */
export type QualityReason = 'rtt' | 'loss' | 'fps';

/** Video as decoded (received) or encoded (sent). */
export interface VideoQuality {
  width: number | null;
  height: number | null;
  fps: number | null;
}

export interface CallQuality {
  /** Round trip of the media path (selected ICE pair, else RTCP), ms. */
  rttMs: number | null;
  /** Share of the other party's packets lost on the way to us over the interval, %. */
  lossInPct: number | null;
  /** Share of our packets the other party reports lost, % (from its RTCP reports). */
  lossOutPct: number | null;
  /** Received and sent bitrates over the interval (all media), kbit/s. */
  inKbps: number | null;
  outKbps: number | null;
  videoIn: VideoQuality | null;
  videoOut: VideoQuality | null;
  /** Why the sender lowers its video ('bandwidth', 'cpu', 'none'), when the browser says. */
  limitation: string | null;
  /** The selected pair goes through a TURN relay. */
  relay: boolean;
  /** Local candidate's protocol towards the relay or peer ('udp' / 'tcp' / 'tls'), when known. */
  transport: string | null;
  level: QualityLevel;
  reasons: QualityReason[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function selectedPair(s: StatsSnapshot): StatEntry | null {
  // Chromium names it on the transport; the spec's `selected` flag and nominated+succeeded are fallbacks.
  for (const e of s.values()) {
    if (e.type === 'transport' && typeof e.selectedCandidatePairId === 'string') {
      const p = s.get(e.selectedCandidatePairId);
      if (p) return p;
    }
  }
  let best: StatEntry | null = null;
  for (const e of s.values()) {
    if (e.type !== 'candidate-pair') continue;
    if (e.selected === true) return e;
    if (e.nominated === true && e.state === 'succeeded' && (!best || (num(e.bytesReceived) ?? 0) > (num(best.bytesReceived) ?? 0))) best = e;
  }
  return best;
}

/** Sum of a counter over entries of one type (optionally one kind), or null when none carries it. */
function total(s: StatsSnapshot, type: string, field: string, kind?: string): number | null {
  let sum: number | null = null;
  for (const e of s.values()) {
    if (e.type !== type || (kind && e.kind !== kind)) continue;
    const v = num(e[field]);
    if (v !== null) sum = (sum ?? 0) + v;
  }
  return sum;
}

function first(s: StatsSnapshot, type: string, kind: string): StatEntry | null {
  // With several video streams (never here: one camera per side) the busiest one is the call's.
  let best: StatEntry | null = null;
  for (const e of s.values()) {
    if (e.type === type && e.kind === kind && (!best || (num(e.bytesReceived ?? e.bytesSent) ?? 0) > (num(best.bytesReceived ?? best.bytesSent) ?? 0))) best = e;
  }
  return best;
}

/** Timestamp of a snapshot (ms): the newest entry's. */
function stamp(s: StatsSnapshot): number | null {
  let t: number | null = null;
  for (const e of s.values()) {
    const v = num(e.timestamp);
    if (v !== null && (t === null || v > t)) t = v;
  }
  return t;
}

function rate(prev: StatsSnapshot | null, cur: StatsSnapshot, type: string, field: string, seconds: number | null): number | null {
  if (!prev || !seconds) return null;
  const a = total(prev, type, field);
  const b = total(cur, type, field);
  if (a === null || b === null || b < a) return null; // a counter going back means a new stream: skip a sample
  return (b - a) / seconds;
}

function lossPct(lostA: number | null, lostB: number | null, recvA: number | null, recvB: number | null): number | null {
  if (lostA === null || lostB === null || recvA === null || recvB === null) return null;
  const lost = Math.max(0, lostB - lostA);
  const recv = recvB - recvA;
  if (recv < 0 || lost + recv === 0) return null;
  return (100 * lost) / (lost + recv);
}

function video(e: StatEntry | null, prevE: StatEntry | undefined, seconds: number | null, framesField: 'framesDecoded' | 'framesEncoded'): VideoQuality | null {
  if (!e) return null;
  let fps = num(e.framesPerSecond);
  if (fps === null && prevE && seconds) {
    const a = num(prevE[framesField]);
    const b = num(e[framesField]);
    if (a !== null && b !== null && b >= a) fps = (b - a) / seconds;
  }
  return { width: num(e.frameWidth), height: num(e.frameHeight), fps };
}

/**
 * The call's quality from the current snapshot and the previous one (`prev` null on the first
 * sample: rates and loss are then null and only the round trip and resolutions are known).
 */
export function computeQuality(prev: StatsSnapshot | null, cur: StatsSnapshot, t: QualityThresholds = DEFAULT_THRESHOLDS): CallQuality {
  const tPrev = prev ? stamp(prev) : null;
  const tCur = stamp(cur);
  const seconds = tPrev !== null && tCur !== null && tCur > tPrev ? (tCur - tPrev) / 1000 : null;

  const pair = selectedPair(cur);
  let rttMs: number | null = null;
  const pairRtt = pair ? num(pair.currentRoundTripTime) : null;
  if (pairRtt !== null) rttMs = pairRtt * 1000;
  else {
    // No ICE round trip yet: RTCP's, from the other side's receiver reports.
    for (const e of cur.values()) {
      const v = e.type === 'remote-inbound-rtp' ? num(e.roundTripTime) : null;
      if (v !== null) rttMs = Math.max(rttMs ?? 0, v * 1000);
    }
  }
  const local = pair && typeof pair.localCandidateId === 'string' ? cur.get(pair.localCandidateId) : undefined;
  const remote = pair && typeof pair.remoteCandidateId === 'string' ? cur.get(pair.remoteCandidateId) : undefined;
  const relay = local?.candidateType === 'relay' || remote?.candidateType === 'relay';
  const transport = local ? (typeof local.relayProtocol === 'string' && local.candidateType === 'relay' ? local.relayProtocol : typeof local.protocol === 'string' ? local.protocol : null) : null;

  const lossInPct = prev ? lossPct(total(prev, 'inbound-rtp', 'packetsLost'), total(cur, 'inbound-rtp', 'packetsLost'), total(prev, 'inbound-rtp', 'packetsReceived'), total(cur, 'inbound-rtp', 'packetsReceived')) : null;
  // The other side's receiver reports: its lost count against what we sent meanwhile; before two
  // reports exist, the fraction its latest report gives (RTCP's own "lost since my last report").
  let lossOutPct = prev ? lossPct(total(prev, 'remote-inbound-rtp', 'packetsLost'), total(cur, 'remote-inbound-rtp', 'packetsLost'), total(prev, 'outbound-rtp', 'packetsSent'), total(cur, 'outbound-rtp', 'packetsSent')) : null;
  if (lossOutPct === null) {
    for (const e of cur.values()) {
      const f = e.type === 'remote-inbound-rtp' ? num(e.fractionLost) : null;
      if (f !== null) lossOutPct = Math.max(lossOutPct ?? 0, f * 100);
    }
  }
  const inBps = rate(prev, cur, 'inbound-rtp', 'bytesReceived', seconds);
  const outBps = rate(prev, cur, 'outbound-rtp', 'bytesSent', seconds);

  const vin = first(cur, 'inbound-rtp', 'video');
  const vout = first(cur, 'outbound-rtp', 'video');
  const videoIn = video(vin, vin ? prev?.get(vin.id) : undefined, seconds, 'framesDecoded');
  const videoOut = video(vout, vout ? prev?.get(vout.id) : undefined, seconds, 'framesEncoded');
  const limitation = vout && typeof vout.qualityLimitationReason === 'string' ? vout.qualityLimitationReason : null;

  const reasons: QualityReason[] = [];
  let level: QualityLevel = 'good';
  const worse = (l: QualityLevel) => {
    if (l === 'poor' || (l === 'fair' && level === 'good')) level = l;
  };
  if (rttMs !== null && rttMs > t.rttFairMs) {
    reasons.push('rtt');
    worse(rttMs > t.rttPoorMs ? 'poor' : 'fair');
  }
  const loss = Math.max(lossInPct ?? 0, lossOutPct ?? 0);
  if (loss > t.lossFairPct) {
    reasons.push('loss');
    worse(loss > t.lossPoorPct ? 'poor' : 'fair');
  }
  // Frame rate only counts once video flows (an audio-only call has none to judge).
  if (videoIn?.fps != null && (num(vin?.framesDecoded) ?? 0) > 0 && videoIn.fps < t.fpsFair) {
    reasons.push('fps');
    worse(videoIn.fps < t.fpsPoor ? 'poor' : 'fair');
  }
  const kbps = (bps: number | null) => (bps === null ? null : (bps * 8) / 1000);
  return { rttMs, lossInPct, lossOutPct, inKbps: kbps(inBps), outKbps: kbps(outBps), videoIn, videoOut, limitation, relay, transport, level, reasons };
}

/**
 * The warning with hysteresis, so one bad second does not flash a banner: it comes on after
 * `onAfter` consecutive poor samples and goes off after `offAfter` consecutive samples that are not.
 */
export class QualityWarning {
  private poorRun = 0;
  private okRun = 0;
  private on = false;

  constructor(private readonly onAfter = 3, private readonly offAfter = 5) {}

  /** Feeds one sample's level; returns whether the warning shows now. */
  push(level: QualityLevel): boolean {
    if (level === 'poor') {
      this.poorRun++;
      this.okRun = 0;
      if (this.poorRun >= this.onAfter) this.on = true;
    } else {
      this.okRun++;
      this.poorRun = 0;
      if (this.okRun >= this.offAfter) this.on = false;
    }
    return this.on;
  }

  get active(): boolean {
    return this.on;
  }
}
