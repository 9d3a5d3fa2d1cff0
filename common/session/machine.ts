import { and, assign, fromCallback, not, sendTo, setup, stateIn } from 'xstate';
import type { EventObject } from 'xstate';
import type { VisitPhase } from '../bridge/core';
import { isOpen } from '../hours';
import type { EndReason } from '../protocol';
import { AppointmentCode } from '../protocol';
import { SURVEY_COMMENT_MAX } from '../outbox';
import type { AudioRoute, CallbackReason, FailureReason, SessionContext, SessionEvent, SessionInput, StampMark, VisitOutcome, VisitStamps } from './types';
import { CALL_RECOVERY_MS, DEFAULT_PRESENCE_ABSENT_MS, DEFAULT_WAITING_LIMIT_MS, emptyVisit, noCall } from './types';

/** Input of the invoked `call` actor (the WebRTC peer for one accepted call). */
export interface CallActorInput {
  /** Hub call id. */
  callId: string;
  /** Signals received before the actor started, in order. */
  earlySignals: Record<string, unknown>[];
  /** Start muted (the citizen muted before a reconnect). */
  muted: boolean;
}

/** Input of the invoked `media` actor. */
export interface MediaActorInput {
  /** Open the microphone only (consent "Micro seulement", or the audio call offered without a camera). */
  audioOnly: boolean;
}

/** Events the machine sends to the running `call` actor. */
export type CallActorEvent = { type: 'signal'; data: Record<string, unknown> } | { type: 'mute'; muted: boolean };

/** "Terminer l'appel ?" after the handset is hung up: without an answer the call goes on (on the loudspeaker). */
export const HANGUP_CONFIRM_MS = 10_000;

/**
 * A scanned convocation code as an appointment code: upper case, spaces and dashes dropped
 * (letters print codes as "AB12-CD34"). Returns null when the result is not a valid code.
 */
export function scannedAppointmentCode(raw: string): string | null {
  const code = raw.trim().toUpperCase().replace(/[\s-]/g, '');
  return AppointmentCode.safeParse(code).success ? code : null;
}
/** What the keypad shows after an unreadable scan: its letters and digits, at most 12. */
const scanDraft = (raw: string) => raw.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12);

const reasonOfFailure = (f: FailureReason | null): CallbackReason =>
  f === 'noAgent' ? 'no_agent' : f === 'hubOffline' ? 'hub_unreachable' : 'call_failed';
const MAX_EARLY_SIGNALS = 64;
const MAX_COMMENT = SURVEY_COMMENT_MAX;
const clampRating = (r: number) => Math.min(5, Math.max(1, Math.round(Number.isFinite(r) ? r : 1)));

const release = (reason: EndReason = 'kiosk_hangup') => ({
  type: 'releaseCall' as const,
  params: ({ context }: { context: SessionContext }) => ({ callId: context.callId, active: context.callActive, reason }),
});

const failureFromEnd = (reason: EndReason): FailureReason =>
  reason === 'no_agent' || reason === 'wait_timeout' ? 'noAgent' : reason === 'error' ? 'error' : 'dropped';

/**
 * The citizen's visit, one state per screen (see README "Session machine"). Side effects are
 * named and do nothing here: `createSessionMachine` (session.ts) provides them. Every way out of a
 * visit targets `#session.resetting`, the single reset.
 */
export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
  },
  actions: {
    /** Send call.request for the current visit (context.requestId is already assigned). */
    requestCall: (_args, _params: { requestId: string }) => {},
    /** Send call.cancel for a queued call. */
    cancelCall: (_args, _params: { callId: string }) => {},
    /** Send call.end for an accepted call. */
    endCall: (_args, _params: { callId: string; reason: EndReason }) => {},
    /** Whatever state our call is in, make the hub forget it: call.cancel if queued, call.end if accepted, nothing if none. */
    releaseCall: (_args, _params: { callId: string | null; active: boolean; reason: EndReason }) => {},
    /** Stop every local media track (camera light off). */
    stopMedia: () => {},
    /** Tell main which phase we are in. */
    reportPhase: (_args, _params: { phase: VisitPhase }) => {},
    /** Hand the survey answer to whoever stores it. */
    recordSurvey: (_args, _params: { rating: number | null; comment: string }) => {},
    /** Wipe whatever the UI keeps outside the machine (DOM of the visit, web storage). */
    wipeUi: () => {},
    /** Hand the anonymous visit record (outcome, service, language, stamps) to whoever stores it. */
    recordVisit: (_args, _params: { outcome: VisitOutcome; serviceId: string | null; lang: SessionContext['lang']; stamps: VisitStamps }) => {},
    /** Ask whoever holds the outbox whether a callback request can be taken (answers with callback.availability). */
    checkCallback: () => {},
    /** Send audio to the loudspeaker or to the handset. */
    routeAudio: (_args, _params: { route: AudioRoute }) => {},
    /** Keep the screen on (presence, a touch outside opening hours): bridge hardware.wake. */
    wake: () => {},
    /** Note the time of a visit milestone (createSessionMachine provides the injected clock). */
    stamp: assign(({ context }, params: { mark: StampMark }) => ({ stamps: { ...context.stamps, [params.mark]: Date.now() } })),
    newRequest: assign(({ context }) => ({
      ...noCall(),
      requestSeq: context.requestSeq + 1,
      requestId: `${context.idPrefix}-${context.requestSeq + 1}`,
      agentName: null,
      failure: null,
    })),
    clearCall: assign(() => noCall()),
    clearVisit: assign(() => emptyVisit()),
  },
  actors: {
    /** Acquires camera + microphone (the microphone only when audioOnly); sends back devices.ready or devices.failed. Keeps nothing on stop. */
    media: fromCallback<EventObject, MediaActorInput>(() => {}),
    /** The WebRTC peer of an accepted call; sends back call.connected / call.reconnecting / call.peerClosed / call.failed. */
    call: fromCallback<CallActorEvent, CallActorInput>(() => {}),
  },
  guards: {
    /** Office open now (injected clock + common/hours.ts). */
    isOpen: ({ context }) => isOpen(context.schedule, new Date()),
    isKnownService: ({ context, event }) => event.type === 'service.select' && context.serviceIds.includes(event.serviceId),
    isValidCode: ({ event }) => event.type === 'code.submit' && AppointmentCode.safeParse(event.code).success,
    isOurRequest: ({ context, event }) => event.type === 'call.queued' && event.requestId === context.requestId,
    isOurCall: ({ context, event }) => 'callId' in event && context.callId !== null && event.callId === context.callId,
    /** A hub frame about a call this visit does not own (e.g. queued just before a reset). */
    isForeignQueued: ({ context, event }) => event.type === 'call.queued' && event.requestId !== context.requestId,
    isForeignCall: ({ context, event }) => 'callId' in event && event.callId !== context.callId,
    /**
     * An error frame about our call: the hub names the refused frame's type in `ref`, so a
     * `call.request` refusal before we were queued is ours; an id in `ref` is matched too.
     */
    isAboutOurCall: ({ context, event }) =>
      event.type === 'hub.error' &&
      event.ref !== undefined &&
      ((event.ref === 'call.request' && context.callId === null) || event.ref === context.requestId || event.ref === context.callId),
    /** The media path failed (not a local error): often the agent's hang-up seen before the hub's word. */
    isPeerDrop: ({ event }) => event.type === 'call.failed' && event.reason === 'dropped',
    isStaleFailure: ({ context, event }) => event.type === 'call.failed' && event.requestId !== undefined && event.requestId !== context.requestId,
    isOffline: ({ event }) => event.type === 'hub.status' && event.status === 'offline',
    inCall: stateIn('#session.visit.flow.inCall'),
    isNormalEnd: ({ event }) => event.type === 'call.ended' && (event.reason === 'agent_hangup' || event.reason === 'kiosk_hangup'),
    /** The outbox said it can take a callback request (never offered while unknown or full). */
    canOfferCallback: ({ context }) => context.callbackAvailable === true,
    /** A visit started from the closed screen only leaves a callback request. */
    isClosedCallback: ({ context }) => context.callbackFrom === 'closed',
    callbackFromCallFailed: ({ context }) => context.callbackFrom === 'callFailed',
    callbackFromVideo: ({ context }) => context.callbackFrom === 'videoUnavailable',
    isValidScan: ({ event }) => event.type === 'code.scanned' && scannedAppointmentCode(event.code) !== null,
    isPresent: ({ event }) => event.type === 'presence.changed' && event.present,
    isUnavailable: ({ event }) => event.type === 'callback.availability' && !event.available,
    inWaiting: stateIn('#session.visit.flow.waiting'),
    /** The presence sensor has said nobody is at the booth (and not yet that someone came back). */
    isAbsent: ({ context }) => context.present === false,
    /** Nobody at the booth for presenceAbsentMs while in line. */
    isGone: stateIn('#session.visit.flow.waiting.gone'),
    isAudioOnly: ({ context }) => context.audioOnly,
  },
  delays: {
    idleMs: ({ context }) => context.timers.idleMs,
    idleCountdownMs: ({ context }) => context.timers.idleCountdownMs,
    waitTimeoutMs: ({ context }) => context.timers.waitTimeoutMs,
    thankYouMs: ({ context }) => context.timers.thankYouMs,
    declinedMs: ({ context }) => context.timers.declinedMs,
    // The waiting limit counts from the last touch: the prompt and its countdown are part of it.
    waitingUnansweredMs: ({ context }) =>
      Math.max(0, (context.timers.waitingLimitMs ?? DEFAULT_WAITING_LIMIT_MS) - context.timers.idleMs - context.timers.idleCountdownMs),
    presenceAbsentMs: ({ context }) => context.timers.presenceAbsentMs ?? DEFAULT_PRESENCE_ABSENT_MS,
    callRecoveryMs: ({ context }) => context.timers.callRecoveryMs ?? CALL_RECOVERY_MS,
    hangupConfirmMs: HANGUP_CONFIRM_MS,
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    timers: input.timers,
    schedule: input.schedule,
    serviceIds: input.serviceIds,
    idPrefix: input.idPrefix,
    requestSeq: 0,
    ...emptyVisit(),
  }),
  // A fresh renderer (first start or reload) goes through the same reset as any visit's end.
  initial: 'resetting',
  on: {
    'session.reset': { target: '.resetting' },
    // Frames about calls we no longer own: make sure the hub does not keep them alive.
    'call.queued': { guard: 'isForeignQueued', actions: { type: 'cancelCall', params: ({ event }) => ({ callId: event.callId }) } },
    'queue.update': { guard: 'isForeignCall', actions: { type: 'cancelCall', params: ({ event }) => ({ callId: event.callId }) } },
    'call.accepted': {
      guard: 'isForeignCall',
      actions: { type: 'endCall', params: ({ event }) => ({ callId: event.callId, reason: 'cancelled' as const }) },
    },
  },
  states: {
    /** THE reset: release the call, stop media, wipe context and UI, then attract or closed. */
    resetting: {
      entry: [
        {
          type: 'recordVisit',
          params: ({ context }) => ({ outcome: context.outcome, serviceId: context.serviceId, lang: context.lang, stamps: context.stamps }),
        },
        release(),
        'stopMedia',
        'clearVisit',
        'wipeUi',
      ],
      always: [{ guard: 'isOpen', target: 'attract' }, { target: 'closed' }],
    },
    attract: {
      entry: { type: 'reportPhase', params: { phase: 'attract' } },
      on: {
        touch: [{ guard: 'isOpen', target: 'visit' }, { target: 'closed' }],
        'visit.start': [{ guard: 'isOpen', target: 'visit' }, { target: 'closed' }],
        // The physical call button is the accessible way in: it starts the visit exactly like a touch.
        'callButton.pressed': [{ guard: 'isOpen', target: 'visit' }, { target: 'closed' }],
        // Scanning a convocation letter starts the visit with the code remembered for the keypad.
        'code.scanned': [
          { guard: 'isOpen', target: 'visit', actions: assign({ scannedCode: ({ event }) => scanDraft(event.code) || null }) },
          { target: 'closed' },
        ],
        // Someone steps in: wake the screen; attract stays up until they touch it.
        'presence.changed': { guard: 'isPresent', actions: 'wake' },
        'hours.tick': { guard: not('isOpen'), target: 'closed' },
        'access.textFirst': { actions: assign({ textFirst: ({ event }) => event.on }) },
      },
    },
    closed: {
      entry: [{ type: 'reportPhase', params: { phase: 'closed' } }, 'checkCallback'],
      on: {
        'hours.tick': [{ guard: 'isOpen', target: 'attract' }, { actions: 'checkCallback' }],
        touch: { actions: 'wake' },
        'presence.changed': { guard: 'isPresent', actions: 'wake' },
        'callback.availability': { actions: assign({ callbackAvailable: ({ event }) => event.available }) },
        // Closed: a visit that only leaves a callback request (language, then service, then the form).
        'callback.offer': {
          guard: 'canOfferCallback',
          target: 'visit',
          actions: assign({ callbackFrom: 'closed' as const, callbackReason: 'closed' as const, outcome: 'closed' as const }),
        },
      },
    },
    visit: {
      type: 'parallel',
      entry: [{ type: 'reportPhase', params: { phase: 'visit' } }, { type: 'stamp', params: { mark: 'visit' } }],
      on: { 'visit.cancel': { target: 'resetting' } },
      states: {
        flow: {
          initial: 'language',
          states: {
            language: {
              on: {
                'lang.select': { target: 'service', actions: assign({ lang: ({ event }) => event.lang }) },
                'visit.back': { target: '#session.resetting' },
                'access.textFirst': { actions: assign({ textFirst: ({ event }) => event.on }) },
                'code.scanned': { actions: assign({ scannedCode: ({ event }) => scanDraft(event.code) || null }) },
              },
            },
            service: {
              on: {
                'service.select': [
                  { guard: and(['isKnownService', 'isClosedCallback']), target: 'callback', actions: assign({ serviceId: ({ event }) => event.serviceId }) },
                  { guard: 'isKnownService', target: 'visitType', actions: assign({ serviceId: ({ event }) => event.serviceId }) },
                ],
                'visit.back': { target: 'language' },
                'code.scanned': { actions: assign({ scannedCode: ({ event }) => scanDraft(event.code) || null }) },
                'access.textFirst': { actions: assign({ textFirst: ({ event }) => event.on }) },
              },
            },
            visitType: {
              on: {
                'visit.walkIn': { target: 'consent', actions: assign({ visitType: 'walkIn', appointmentCode: null }) },
                'visit.appointment': { target: 'appointmentCode', actions: assign({ visitType: 'appointment', codeError: false }) },
                'visit.back': { target: 'service' },
                'access.textFirst': { actions: assign({ textFirst: ({ event }) => event.on }) },
                // A scanned convocation answers "Avez-vous un rendez-vous ?" by itself.
                'code.scanned': [
                  {
                    guard: 'isValidScan',
                    target: 'consent',
                    actions: assign({ visitType: 'appointment', appointmentCode: ({ event }) => scannedAppointmentCode(event.code), codeError: false, scannedCode: null }),
                  },
                  { target: 'appointmentCode', actions: assign({ visitType: 'appointment', codeError: true, scannedCode: ({ event }) => scanDraft(event.code) || null }) },
                ],
              },
            },
            appointmentCode: {
              on: {
                'code.submit': [
                  { guard: 'isValidCode', target: 'consent', actions: assign({ appointmentCode: ({ event }) => event.code, codeError: false }) },
                  { actions: assign({ codeError: true }) },
                ],
                'code.scanned': [
                  { guard: 'isValidScan', target: 'consent', actions: assign({ appointmentCode: ({ event }) => scannedAppointmentCode(event.code), codeError: false, scannedCode: null }) },
                  { actions: assign({ codeError: true, scannedCode: ({ event }) => scanDraft(event.code) || null }) },
                ],
                'visit.back': { target: 'visitType', actions: assign({ appointmentCode: null, codeError: false }) },
              },
            },
            consent: {
              on: {
                // "Caméra et micro" or "Micro seulement": the same line, the agent is told it is audio only.
                'consent.accept': { target: 'deviceCheck', actions: assign({ audioOnly: ({ event }) => event.audioOnly === true }) },
                'consent.refuse': { target: 'declined', actions: assign({ outcome: 'consent_refused' }) },
                'visit.back': { target: 'visitType' },
              },
            },
            declined: {
              after: { declinedMs: { target: '#session.resetting' } },
              on: { 'visit.done': { target: '#session.resetting' } },
            },
            deviceCheck: {
              initial: 'acquiring',
              states: {
                acquiring: {
                  invoke: { id: 'media', src: 'media', input: ({ context }) => ({ audioOnly: context.audioOnly }) },
                  on: {
                    'devices.ready': { target: 'ready' },
                    'devices.failed': { target: '#session.visit.flow.videoUnavailable' },
                  },
                },
                ready: {
                  on: {
                    'devices.continue': { target: '#session.visit.flow.waiting' },
                    'devices.lost': { guard: not('isAudioOnly'), target: '#session.visit.flow.videoUnavailable' },
                  },
                },
              },
            },
            /**
             * No video for this visit (camera refused, missing, or lost mid-visit): toll-free number and
             * callback. Media is not released here, so the media watch keeps listening for `devicechange`
             * and `devices.returned` brings the citizen back to the device check.
             */
            videoUnavailable: {
              // Availability is asked afresh on every entry (the outbox may have filled or drained meanwhile).
              entry: [assign({ callbackAvailable: null }), 'checkCallback'],
              exit: assign({ callbackAvailable: null }),
              on: {
                // "Réessayer" / a camera plugged back in: a video visit again.
                'call.retry': { target: 'deviceCheck', actions: assign({ audioOnly: false }) },
                'devices.returned': { target: 'deviceCheck', actions: assign({ audioOnly: false }) },
                // "Appel audio": the same line with the microphone only (not offered when the microphone is what failed).
                'call.audioOnly': { guard: not('isAudioOnly'), target: 'deviceCheck', actions: assign({ audioOnly: true }) },
                'visit.done': { target: '#session.resetting' },
                'callback.availability': { actions: assign({ callbackAvailable: ({ event }) => event.available }) },
                'callback.offer': {
                  guard: 'canOfferCallback',
                  target: 'callback',
                  actions: assign({ callbackFrom: 'videoUnavailable' as const, callbackReason: 'call_failed' as const }),
                },
              },
            },
            waiting: {
              // The sensor's word counts from the touch that put the citizen in line (fresher than any earlier "nobody").
              entry: [
                'newRequest', assign({ present: null }), { type: 'stamp', params: { mark: 'waitStart' } },
                { type: 'requestCall', params: ({ context }) => ({ requestId: context.requestId ?? '' }) },
              ],
              exit: [{ type: 'stamp', params: { mark: 'waitEnd' } }, assign({ present: null })],
              /**
               * What the presence sensor says while in line (nothing, on a booth without one): `gone` after
               * presenceAbsentMs of nobody. Only `gone` together with an unanswered idle prompt leaves the line.
               */
              initial: 'present',
              states: {
                present: { always: { guard: 'isAbsent', target: 'absent' } },
                absent: {
                  always: { guard: not('isAbsent'), target: 'present' },
                  after: { presenceAbsentMs: { target: 'gone' } },
                },
                gone: { always: { guard: not('isAbsent'), target: 'present' } },
              },
              after: {
                waitTimeoutMs: {
                  target: 'callFailed',
                  actions: [release(), assign({ failure: 'noAgent' })],
                },
              },
              on: {
                'presence.changed': { actions: assign({ present: ({ event }) => event.present }) },
                'call.queued': {
                  guard: 'isOurRequest',
                  actions: assign({
                    callId: ({ event }) => event.callId,
                    position: ({ event }) => event.position,
                    estimateSeconds: ({ event }) => event.estimateSeconds,
                    noAgent: ({ event }) => event.noAgent === true,
                  }),
                },
                'queue.update': {
                  guard: 'isOurCall',
                  actions: assign({ position: ({ event }) => event.position, estimateSeconds: ({ event }) => event.estimateSeconds, noAgent: ({ event }) => event.noAgent === true }),
                },
                'call.accepted': {
                  guard: 'isOurCall',
                  target: 'inCall',
                  actions: assign({ callActive: true, agentName: ({ event }) => event.agentName, lostCallId: null, linkDown: false }),
                },
                'call.signal': {
                  guard: 'isOurCall',
                  actions: assign({ earlySignals: ({ context, event }) => [...context.earlySignals, event.data].slice(-MAX_EARLY_SIGNALS) }),
                },
                'call.ended': {
                  guard: 'isOurCall',
                  target: 'callFailed',
                  actions: [assign({ failure: ({ event }) => failureFromEnd(event.reason) }), 'clearCall'],
                },
                'call.failed': { guard: not('isStaleFailure'), target: 'callFailed', actions: assign({ failure: ({ event }) => event.reason }) },
                'hub.error': { guard: 'isAboutOurCall', target: 'callFailed', actions: assign({ failure: 'error' }) },
                'hub.status': {
                  guard: 'isOffline',
                  target: 'callFailed',
                  // The hub drops a disconnected kiosk's calls; cancel anyway in case the link comes back first.
                  actions: [release(), assign({ failure: 'hubOffline' })],
                },
                // No camera, no video visit: leave the line rather than reach an agent who cannot see us
                // (an audio-only visit holds no camera: nothing to lose).
                'devices.lost': { guard: not('isAudioOnly'), target: 'videoUnavailable', actions: [release(), 'clearCall'] },
              },
            },
            inCall: {
              entry: [{ type: 'reportPhase', params: { phase: 'call' } }, { type: 'stamp', params: { mark: 'callStart' } }],
              exit: [{ type: 'reportPhase', params: { phase: 'visit' } }, { type: 'stamp', params: { mark: 'callEnd' } }],
              invoke: {
                id: 'call',
                src: 'call',
                input: ({ context }) => ({ callId: context.callId ?? '', earlySignals: context.earlySignals, muted: context.muted }),
              },
              initial: 'connecting',
              states: {
                connecting: { on: { 'call.connected': { target: 'connected' } } },
                connected: { on: { 'call.reconnecting': { target: 'reconnecting' } } },
                /**
                 * The media path is down; the agent's side restarts ICE (renderer/shared/peer.ts). Bounded:
                 * after callRecoveryMs the call is lost and the citizen may take the head of the line again.
                 */
                reconnecting: {
                  on: { 'call.connected': { target: 'connected' } },
                  after: {
                    callRecoveryMs: {
                      target: '#session.visit.flow.callFailed',
                      actions: [assign({ lostCallId: ({ context }) => context.callId }), release('peer_lost'), assign({ failure: 'dropped' })],
                    },
                  },
                },
                /**
                 * The peer closed or failed by itself. A hang-up's call.ended follows within moments; an agent
                 * whose browser vanished is given the hub's resume window, whose verdict (call.ended peer_lost)
                 * says "L'agent a été déconnecté". Without any word (the hub unreachable too) the call is lost.
                 */
                closing: {
                  after: {
                    callRecoveryMs: {
                      target: '#session.visit.flow.callFailed',
                      actions: [assign({ lostCallId: ({ context }) => context.callId }), release('peer_lost'), assign({ failure: 'dropped' })],
                    },
                  },
                },
              },
              on: {
                'call.signal': { guard: 'isOurCall', actions: sendTo('call', ({ event }) => ({ type: 'signal' as const, data: event.data })) },
                'call.mute': { actions: [assign({ muted: ({ event }) => event.muted }), sendTo('call', ({ event }) => ({ type: 'mute' as const, muted: event.muted }))] },
                'call.peerClosed': { target: '.closing' },
                'call.hangup': {
                  target: 'survey',
                  actions: release(),
                },
                'call.ended': [
                  // The hub already ended it: forget the call so the reset does not end it twice.
                  { guard: and(['isOurCall', 'isNormalEnd']), target: 'survey', actions: 'clearCall' },
                  // The hub only says peer_lost to us when the agent's side vanished and never came back:
                  // never the survey as if the call had ended; the head of the line or a callback instead.
                  {
                    guard: 'isOurCall',
                    target: 'callFailed',
                    actions: [
                      assign({ lostCallId: ({ context }) => context.callId, failure: ({ event }) => (event.type === 'call.ended' && event.reason === 'peer_lost' ? 'agentLost' : 'dropped') }),
                      'clearCall',
                    ],
                  },
                ],
                // Signaling is not the call: the hub link's loss changes nothing but what the call screen says.
                'hub.status': { actions: assign({ linkDown: ({ event }) => event.status !== 'online' }) },
                'call.resumed': { guard: 'isOurCall', actions: assign({ linkDown: false }) },
                'call.failed': [
                  // When the agent hangs up, the connection can fail here before the hub's call.ended
                  // arrives: wait for it (survey) rather than tell the citizen the call was cut.
                  { guard: 'isPeerDrop', target: '.closing' },
                  { target: 'callFailed', actions: [release('peer_lost'), assign({ failure: ({ event }) => event.reason })] },
                ],
                // The handset's own mute key works like the on-screen one.
                'handset.muteChanged': {
                  actions: [assign({ muted: ({ event }) => event.muted }), sendTo('call', ({ event }) => ({ type: 'mute' as const, muted: event.muted }))],
                },
                // The camera went away mid-call (its tracks ended): the agent can no longer see us.
                'devices.lost': { guard: not('isAudioOnly'), target: 'videoUnavailable', actions: [release('error'), 'clearCall', assign({ outcome: 'failed' })] },
              },
            },
            callFailed: {
              entry: [
                'stopMedia',
                'clearCall',
                assign({ outcome: ({ context }) => (context.failure === 'noAgent' ? 'no_agent' : 'failed'), callbackAvailable: null }),
                'checkCallback',
              ],
              exit: assign({ callbackAvailable: null }),
              on: {
                'call.retry': { target: 'deviceCheck' },
                'visit.done': { target: '#session.resetting' },
                'callback.availability': { actions: assign({ callbackAvailable: ({ event }) => event.available }) },
                'callback.offer': {
                  guard: 'canOfferCallback',
                  target: 'callback',
                  actions: assign({ callbackFrom: 'callFailed' as const, callbackReason: ({ context }) => reasonOfFailure(context.failure) }),
                },
              },
            },
            /**
             * "Laissez vos coordonnées, un agent vous rappellera" (renderer/kiosk/screens/callback.ts):
             * `form` until outbox.put resolved, then `saved` ("Votre demande est enregistrée").
             */
            callback: {
              initial: 'form',
              exit: assign({ callbackFrom: null, callbackReason: null, callbackAvailable: null }),
              states: {
                form: {
                  on: {
                    // "Annuler" on the form: back to the screen that offered it (the service list when closed).
                    'visit.back': [
                      { guard: 'callbackFromCallFailed', target: '#session.visit.flow.callFailed' },
                      { guard: 'callbackFromVideo', target: '#session.visit.flow.videoUnavailable' },
                      { target: '#session.visit.flow.service' },
                    ],
                    'callback.saved': { target: 'saved', actions: assign({ outcome: 'callback' }) },
                    // A put refused with outbox_full: the form says so; its screens stop offering callbacks.
                    'callback.availability': { actions: assign({ callbackAvailable: ({ event }) => event.available }) },
                  },
                },
                saved: {
                  after: { thankYouMs: { target: '#session.resetting' } },
                  on: { 'visit.done': { target: '#session.resetting' } },
                },
              },
            },
            survey: {
              entry: ['stopMedia', 'clearCall', assign({ outcome: 'completed' })],
              on: {
                'survey.submit': {
                  target: 'thanks',
                  actions: [
                    assign({ survey: ({ event }) => ({ rating: clampRating(event.rating), comment: event.comment.slice(0, MAX_COMMENT) }) }),
                    { type: 'recordSurvey', params: ({ event }) => ({ rating: clampRating(event.rating), comment: event.comment.slice(0, MAX_COMMENT) }) },
                  ],
                },
                // A skip is recorded too (rating null): it tells how often the survey is ignored.
                'survey.skip': { target: 'thanks', actions: { type: 'recordSurvey', params: { rating: null, comment: '' } } },
              },
            },
            thanks: {
              after: { thankYouMs: { target: '#session.resetting' } },
              on: { 'visit.done': { target: '#session.resetting' } },
            },
          },
        },
        /**
         * "Êtes-vous encore là ?": runs beside the flow, off while a call is up (a call is never cut for idleness).
         * In line the prompt still shows (with its chime) but its countdown never cancels the call: the prompt
         * stays up `unanswered`, and the place is given up only when the presence sensor says nobody has been
         * there for presenceAbsentMs, or after waitingLimitMs without a touch.
         */
        idle: {
          initial: 'watching',
          states: {
            watching: {
              always: { guard: 'inCall', target: 'suspended' },
              after: { idleMs: { target: 'prompting' } },
              // Re-entering restarts the idle delay: that is the whole job of `activity`.
              on: { activity: { target: 'watching', reenter: true } },
            },
            // Plain `activity` is ignored here: the touch that dismisses the prompt must not click through it.
            prompting: {
              always: { guard: 'inCall', target: 'suspended' },
              after: {
                idleCountdownMs: [
                  { guard: 'inWaiting', target: 'unanswered' },
                  { target: '#session.resetting', actions: assign({ outcome: 'idle' }) },
                ],
              },
              // The call button answers "Êtes-vous encore là ?" for someone who cannot use the touchscreen.
              on: { 'idle.stillHere': { target: 'watching' }, 'callButton.pressed': { target: 'watching' } },
            },
            /** In line, the prompt went unanswered: it stays up and the citizen keeps their place. */
            unanswered: {
              always: [
                { guard: 'inCall', target: 'suspended' },
                { guard: 'isGone', target: '#session.resetting', actions: assign({ outcome: 'idle' }) },
                // Out of the line (e.g. no agent in time): the prompt's countdown applies again there.
                { guard: not('inWaiting'), target: 'prompting' },
              ],
              after: { waitingUnansweredMs: { target: '#session.resetting', actions: assign({ outcome: 'idle' }) } },
              on: { 'idle.stillHere': { target: 'watching' }, 'callButton.pressed': { target: 'watching' } },
            },
            suspended: { always: { guard: not('inCall'), target: 'watching' } },
          },
        },
        /**
         * The handset: lifting it (anywhere in the visit; it matters in waiting and in call) routes
         * audio to it; hanging it up during a call asks "Terminer l'appel ?" — Oui sends call.hangup,
         * Non or no answer within hangupConfirmMs keeps the call on the loudspeaker.
         */
        handset: {
          initial: 'speaker',
          states: {
            speaker: {
              entry: [assign({ audioRoute: 'speaker' as const }), { type: 'routeAudio', params: { route: 'speaker' as const } }],
              on: { 'handset.lifted': { target: 'handset' } },
            },
            handset: {
              entry: [assign({ audioRoute: 'handset' as const }), { type: 'routeAudio', params: { route: 'handset' as const } }],
              on: { 'handset.hungUp': [{ guard: 'inCall', target: 'confirmHangup' }, { target: 'speaker' }] },
            },
            confirmHangup: {
              entry: [assign({ audioRoute: 'speaker' as const }), { type: 'routeAudio', params: { route: 'speaker' as const } }],
              always: { guard: not('inCall'), target: 'speaker' },
              after: { hangupConfirmMs: { target: 'speaker' } },
              on: { 'hangup.cancel': { target: 'speaker' }, 'handset.lifted': { target: 'handset' } },
            },
          },
        },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;
