// The agent's call quality panel beside the video: round trip, loss both ways, bitrate, the received
// picture's resolution and frame rate, the media path (direct or TURN relay), and a warning when the
// call stays poor for a few seconds (renderer/shared/call-stats.ts holds the thresholds and the
// hysteresis). Polls the call's getStats() once a second; mounted by main.ts into #call-quality.
import { render } from 'preact';
import type { MessageKey } from '../../common/i18n';
import { computeQuality, QualityWarning, snapshotOf, type CallQuality, type StatsSnapshot } from '../shared/call-stats';
import './quality.css';

type Tr = (key: MessageKey, params?: Record<string, string | number>) => string;

const round = (v: number | null | undefined, digits = 0): string | null => (v === null || v === undefined ? null : v.toFixed(digits));

export function QualityPanel({ q, warn, tr }: { q: CallQuality; warn: boolean; tr: Tr }) {
  const unknown = tr('agent.quality.unknown');
  const rtt = round(q.rttMs);
  const lossKnown = q.lossInPct !== null || q.lossOutPct !== null;
  const rateKnown = q.inKbps !== null || q.outKbps !== null;
  const v = q.videoIn;
  return (
    <div class={`call-quality level-${q.level}`} data-testid="call-quality" data-level={q.level} data-relay={q.relay ? 'true' : 'false'} data-warning={warn ? 'true' : 'false'}>
      <h2 class="call-quality-title" data-testid="quality-level">
        {tr('agent.quality.heading', { level: tr(`agent.quality.level.${q.level}`) })}
      </h2>
      {warn ? (
        <p class="call-quality-warning" role="alert" data-testid="quality-warning">
          {tr('agent.quality.warning', { reasons: q.reasons.map((r) => tr(`agent.quality.reason.${r}`)).join(', ') })}
        </p>
      ) : null}
      <dl>
        <dt>{tr('agent.quality.rtt')}</dt>
        <dd data-testid="quality-rtt">{rtt === null ? unknown : tr('agent.quality.value.ms', { value: rtt })}</dd>
        <dt>{tr('agent.quality.loss')}</dt>
        <dd data-testid="quality-loss">{lossKnown ? tr('agent.quality.value.pct', { in: round(q.lossInPct, 1) ?? unknown, out: round(q.lossOutPct, 1) ?? unknown }) : unknown}</dd>
        <dt>{tr('agent.quality.bitrate')}</dt>
        <dd data-testid="quality-bitrate">{rateKnown ? tr('agent.quality.value.kbps', { in: round(q.inKbps) ?? unknown, out: round(q.outKbps) ?? unknown }) : unknown}</dd>
        <dt>{tr('agent.quality.video')}</dt>
        <dd data-testid="quality-video">{v && v.width !== null && v.height !== null ? tr('agent.quality.value.video', { width: v.width, height: v.height, fps: round(v.fps) ?? unknown }) : unknown}</dd>
        <dt>{tr('agent.quality.path')}</dt>
        <dd data-testid="quality-path">{tr(q.relay ? 'agent.quality.path.relay' : 'agent.quality.path.direct', { transport: q.transport ?? unknown })}</dd>
      </dl>
    </div>
  );
}

export interface CallQualityOptions {
  /** The call being shown (a new id starts a new series); null outside a call. */
  callId(): string | null;
  /** The call's getStats(); null when there is no peer yet. */
  stats(): Promise<RTCStatsReport | null>;
  tr: Tr;
  /** Sampling period (ms); default 1000. */
  everyMs?: number;
  /** Timer functions (tests). */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
}

/** Samples the call's statistics and renders the panel into `el`; returns a stop function. */
export function mountCallQuality(el: HTMLElement, opts: CallQualityOptions): () => void {
  let prev: StatsSnapshot | null = null;
  let series: string | null = null;
  let warning = new QualityWarning();
  let busy = false;
  let stopped = false;
  const clear = () => {
    prev = null;
    render(null, el);
  };
  const sample = async () => {
    if (busy || stopped) return; // a slow getStats never piles up
    const id = opts.callId();
    if (id !== series) {
      series = id;
      warning = new QualityWarning();
      clear();
    }
    if (!id) return;
    busy = true;
    try {
      const report = await opts.stats();
      if (stopped || opts.callId() !== id) return;
      if (!report) return clear();
      const cur = snapshotOf(report);
      const q = computeQuality(prev, cur);
      prev = cur;
      // The first sample has no rates yet: shown, but not counted towards the warning.
      const warn = q.inKbps === null ? warning.active : warning.push(q.level);
      render(<QualityPanel q={q} warn={warn} tr={opts.tr} />, el);
    } catch {
      // A closed connection rejects getStats: the next call starts a new series.
    } finally {
      busy = false;
    }
  };
  const set = opts.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
  const cancel = opts.clearInterval ?? ((h: unknown) => clearInterval(h as ReturnType<typeof setInterval>));
  const timer = set(() => void sample(), opts.everyMs ?? 1000);
  return () => {
    stopped = true;
    cancel(timer);
    render(null, el);
  };
}
