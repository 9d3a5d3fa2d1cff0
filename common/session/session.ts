import type { SnapshotFrom } from 'xstate';
import type { RendererToHub, VisitPhase } from '../bridge/core';
import { isOpen } from '../hours';
import type { UiLanguage } from '../config';
import { callLanguageOf } from '../i18n/languages';
import { CALL_REQUEST_REVISION } from '../protocol';
import type { SurveyRecord } from '../outbox';
import type { Result } from '../result';
import type { CallActorDeps } from './call-actor';
import { createCallActor } from './call-actor';
import type { AudioRoute, FailureReason, SessionContext, StampMark, VisitOutcome } from './types';
import { sessionMachine, type MediaActorInput } from './machine';
import type { EventObject } from 'xstate';
import { assign, fromCallback } from 'xstate';


/** The anonymous visit record (common/outbox.ts VisitRecord, minus nothing: no code, no ids). */
export interface VisitSummary {
  /** How the visit ended. */
  outcome: VisitOutcome;
  /** Service chosen, if any. */
  serviceId: string | null;
  /** Language of the screens (how many visits in Arabic, Spanish… is worth knowing; the call's follows from it). */
  lang: UiLanguage;
  /** Time in line (last wait), ms. */
  waitMs: number;
  /** Time talking with the agent, ms. */
  durationMs: number;
}

/** The side effects of a visit, injected at the edge (renderer/kiosk/main.ts, or fakes in tests). */
export interface SessionDeps<S = unknown> {
  /** Wall clock (ms since epoch) for the opening-hours guard. */
  now(): number;
  /** Send a frame to the hub through main; a failed Result (e.g. `hub_offline`) fails the call. */
  sendToHub(frame: RendererToHub): Promise<Result<unknown>> | void;
  /** Start camera + microphone, or the microphone only (resolves when live, rejects when unavailable). */
  acquireMedia(opts: { audioOnly: boolean }): Promise<void>;
  /** Stop every local track, including one still being acquired. */
  stopMedia(): void;
  /** Tell main the coarse phase (power-save blocker, status light). */
  reportPhase(phase: VisitPhase): void;
  /** Store a survey answer (anonymous visit data). */
  /** The outbox's survey record (anonymous: no code, no call id); not called for a visit without a service. */
  recordSurvey(record: SurveyRecord): void;
  /** Remove whatever the UI holds of the visit (DOM, web storage). */
  wipeUi(): void;
  /** Store the anonymous visit record, once per visit, at its reset. */
  recordVisit(summary: VisitSummary): void;
  /** The WebRTC peer of an accepted call. */
  call: CallActorDeps<S>;
  /** Whether the outbox can take a callback request now (outbox.stats not full); false when unknown. */
  callbackAvailable(): Promise<boolean>;
  /** Send the agent's voice (and the microphone, where the peer allows it) to the loudspeaker or the handset. */
  routeAudio(route: AudioRoute): void;
  /** Keep the screen on for a while (bridge hardware.wake). */
  wake(): void;
}

/** The session machine with its side effects wired to `deps`. */
export function createSessionMachine<S>(deps: SessionDeps<S>) {
  return sessionMachine.provide({
    actions: {
      requestCall: ({ context, self }, { requestId }) => {
        if (!context.serviceId || !requestId) return;
        // Queued in the call's language; the screens' language tells the hub whether an interpreter is needed.
        const frame: RendererToHub = {
          type: 'call.request', requestId, service: context.serviceId, language: callLanguageOf(context.lang), uiLanguage: context.lang, v: CALL_REQUEST_REVISION,
        };
        if (context.appointmentCode) frame.appointmentCode = context.appointmentCode;
        if (context.audioOnly) frame.audioOnly = true;
        if (context.textFirst) frame.textFirst = true;
        // After a lost call the citizen goes back to the head of the same line, not to its end.
        if (context.lostCallId) frame.requeueOf = context.lostCallId;
        void Promise.resolve(deps.sendToHub(frame)).then((r) => {
          if (r && !r.ok) {
            const reason: FailureReason = r.error.code === 'hub_offline' ? 'hubOffline' : 'error';
            self.send({ type: 'call.failed', reason, requestId });
          }
        }, () => self.send({ type: 'call.failed', reason: 'error', requestId }));
      },
      cancelCall: (_, { callId }) => {
        if (callId) void deps.sendToHub({ type: 'call.cancel', callId });
      },
      endCall: (_, { callId, reason }) => {
        if (callId) void deps.sendToHub({ type: 'call.end', callId, reason });
      },
      releaseCall: (_, { callId, active, reason }) => {
        if (!callId) return;
        void deps.sendToHub(active ? { type: 'call.end', callId, reason } : { type: 'call.cancel', callId });
      },
      stopMedia: () => deps.stopMedia(),
      reportPhase: (_, { phase }) => deps.reportPhase(phase),
      recordSurvey: ({ context }, { rating, comment }) => {
        if (context.serviceId) deps.recordSurvey({ service: context.serviceId, language: context.lang, rating, ...(comment ? { comment } : {}) });
      },
      wipeUi: () => deps.wipeUi(),
      recordVisit: (_, { outcome, serviceId, lang, stamps }) => {
        if (stamps.visit === null) return; // a reset with no visit (start-up, main's reset at attract)
        const end = deps.now();
        const span = (from: number | null, to: number | null) => (from === null ? 0 : Math.max(0, Math.round((to ?? end) - from)));
        deps.recordVisit({ outcome, serviceId, lang, waitMs: span(stamps.waitStart, stamps.waitEnd), durationMs: span(stamps.callStart, stamps.callEnd) });
      },
      stamp: assign(({ context }, { mark }: { mark: StampMark }) => ({ stamps: { ...context.stamps, [mark]: deps.now() } })),
      checkCallback: ({ self }) => {
        void deps.callbackAvailable().then(
          (available) => self.send({ type: 'callback.availability', available }),
          () => self.send({ type: 'callback.availability', available: false }),
        );
      },
      routeAudio: (_, { route }) => deps.routeAudio(route),
      wake: () => deps.wake(),
    },
    guards: {
      isOpen: ({ context }) => isOpen(context.schedule, new Date(deps.now())),
    },
    actors: {
      media: fromCallback<EventObject, MediaActorInput>(({ sendBack, input }) => {
        deps.acquireMedia({ audioOnly: input.audioOnly }).then(
          () => sendBack({ type: 'devices.ready' }),
          (err: unknown) => sendBack({ type: 'devices.failed', reason: err instanceof Error ? err.name : String(err) }),
        );
      }),
      call: createCallActor(deps.call),
    },
  });
}

/** One screen per visible state (the renderer's unit of rendering; `screen-<name>` test ids). */
export type ScreenName =
  | 'attract'
  | 'closed'
  | 'language'
  | 'service'
  | 'visitType'
  | 'appointmentCode'
  | 'consent'
  | 'declined'
  | 'deviceCheck'
  | 'videoUnavailable'
  | 'waiting'
  | 'inCall'
  | 'callFailed'
  | 'callback'
  | 'survey'
  | 'thanks';

/** The flattened view of a snapshot the screens render from. */
export interface SessionView {
  /** Current screen. */
  screen: ScreenName;
  /** Sub-state: deviceCheck acquiring/ready, inCall connecting/connected/reconnecting/closing. */
  sub: string | null;
  /** The idle prompt ("Êtes-vous encore là ?") is showing over the screen. */
  idlePrompt: boolean;
  /** "Terminer l'appel ?" is showing over the call (the handset was hung up). */
  hangupPrompt: boolean;
  // The three below are always set by toView (optional only so hand-made views in screen tests stay short).
  /**
   * The idle prompt shows over the waiting line: no countdown there, the citizen keeps their place
   * ("Vous gardez votre place"); B's chime still plays when it appears.
   */
  idleKeepsPlace?: boolean;
  /** The waiting screen shows "Aucun agent n'est disponible pour le moment" instead of an estimate. */
  noAgent?: boolean;
  /** videoUnavailable offers "Appel audio" (the camera failed, the microphone was not tried alone yet). */
  offerAudioCall?: boolean;
  /** The machine context (read-only for screens). */
  context: SessionContext;
}

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

/** Reads the screen, sub-state and idle flag out of a snapshot. */
export function toView(snapshot: SessionSnapshot): SessionView {
  const value = snapshot.value;
  const context = snapshot.context;
  if (typeof value === 'string') {
    // 'resetting' is transient (eventless), so a settled snapshot is never in it.
    return { screen: value === 'closed' ? 'closed' : 'attract', sub: null, idlePrompt: false, hangupPrompt: false, idleKeepsPlace: false, noAgent: false, offerAudioCall: false, context };
  }
  const visit = (value as { visit: { flow: string | Record<string, string>; idle: string; handset: string } }).visit;
  const flow = visit.flow;
  const [screen, sub] = typeof flow === 'string' ? [flow, null] : (Object.entries(flow)[0] ?? ['language', null]);
  const idlePrompt = visit.idle === 'prompting' || visit.idle === 'unanswered';
  return {
    screen: screen as ScreenName,
    sub,
    idlePrompt,
    hangupPrompt: visit.handset === 'confirmHangup',
    idleKeepsPlace: idlePrompt && screen === 'waiting',
    noAgent: screen === 'waiting' && context.noAgent,
    offerAudioCall: screen === 'videoUnavailable' && !context.audioOnly,
    context,
  };
}
