// Fakes for the session machine's injected side effects, shared by the unit and model-based tests.
import { createActor, SimulatedClock } from 'xstate';
import type { RendererToHub, VisitPhase } from '../../bridge/core';
import { defaultSchedule } from '../../config';
import type { CallPeer, CallPeerOptions } from '../call-actor';
import type { AudioRoute, SessionInput } from '../types';
import type { SurveyRecord } from '../../outbox';
import type { SessionDeps, VisitSummary } from '../session';
import { createSessionMachine } from '../session';

export const timers = { idleMs: 60_000, idleCountdownMs: 15_000, waitTimeoutMs: 600_000, thankYouMs: 10_000, declinedMs: 15_000 };
export const input: SessionInput = {
  timers,
  schedule: defaultSchedule,
  serviceIds: ['emploi', 'solidarite', 'immigration', 'renseignements'],
  idPrefix: 'k1',
};
/** Monday 2026-11-23 10:00 in Montréal (open) and 20:00 (closed). */
export const OPEN = Date.parse('2026-11-23T15:00:00Z');
export const CLOSED = Date.parse('2026-11-24T01:00:00Z');

export interface FakePeer extends CallPeer {
  opts: CallPeerOptions<string>;
  signals: Record<string, unknown>[];
  muted: boolean;
  destroyed: boolean;
}

export function createHarness(
  opts: {
    now?: number;
    mediaAutoReady?: boolean;
    hubResult?: () => { ok: true; value: null } | { ok: false; error: { code: string; message: string } };
    /** What outbox.stats says (true: a callback can be taken); a rejection means the outbox is unreachable. */
    callbackAvailable?: () => Promise<boolean>;
    /** Timers other than the defaults above (merged over them). */
    timers?: Partial<SessionInput['timers']>;
  } = {},
) {
  const log = {
    hub: [] as RendererToHub[],
    phases: [] as VisitPhase[],
    surveys: [] as SurveyRecord[],
    visits: [] as VisitSummary[],
    mediaAcquired: 0,
    /** Options of every acquisition, in order. */
    mediaOpts: [] as { audioOnly: boolean }[],
    mediaStopped: 0,
    uiWiped: 0,
    peers: [] as FakePeer[],
    remote: [] as (string | null)[],
    routes: [] as AudioRoute[],
    wakes: 0,
    callbackChecks: 0,
  };
  const clockNow = { t: opts.now ?? OPEN };
  let resolveMedia: (() => void) | null = null;
  let rejectMedia: ((e: Error) => void) | null = null;
  const deps: SessionDeps<string> = {
    now: () => clockNow.t,
    sendToHub: (frame) => {
      log.hub.push(frame);
      return Promise.resolve(opts.hubResult ? opts.hubResult() : { ok: true as const, value: null });
    },
    acquireMedia: (o) => {
      log.mediaAcquired++;
      log.mediaOpts.push(o);
      if (opts.mediaAutoReady) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        resolveMedia = resolve;
        rejectMedia = reject;
      });
    },
    stopMedia: () => void log.mediaStopped++,
    reportPhase: (p) => void log.phases.push(p),
    recordSurvey: (s) => void log.surveys.push(s),
    wipeUi: () => void log.uiWiped++,
    recordVisit: (v) => void log.visits.push(v),
    callbackAvailable: () => {
      log.callbackChecks++;
      return opts.callbackAvailable ? opts.callbackAvailable() : Promise.resolve(true);
    },
    routeAudio: (r) => void log.routes.push(r),
    wake: () => void log.wakes++,
    call: {
      getLocalStream: () => 'local-stream',
      iceServers: () => [],
      sendSignal: (callId, data) => void log.hub.push({ type: 'signal', callId, data }),
      showRemote: (s) => void log.remote.push(s),
      createPeer: (o) => {
        const peer: FakePeer = {
          opts: o,
          signals: [],
          muted: false,
          destroyed: false,
          signal(d) {
            this.signals.push(d);
          },
          setMuted(m) {
            this.muted = m;
          },
          destroy() {
            this.destroyed = true;
          },
        };
        log.peers.push(peer);
        return peer;
      },
    },
  };
  const clock = new SimulatedClock();
  const actor = createActor(createSessionMachine(deps), { input: { ...input, timers: { ...input.timers, ...opts.timers } }, clock });
  actor.start();
  return {
    actor,
    clock,
    log,
    deps,
    clockNow,
    media: {
      ready: () => resolveMedia?.(),
      fail: (e = new Error('NotAllowedError')) => rejectMedia?.(e),
    },
    /** Frames sent since `from` (index in log.hub). */
    framesSince: (from: number) => log.hub.slice(from),
  };
}

/** Lets promise callbacks (media, hub results, call actor start) run. */
export const flush = () => new Promise<void>((r) => setTimeout(r, 0));
