import type { UiLanguage, WeeklySchedule } from '../config';
import type { EndReason } from '../protocol';
import type { HardwareInput } from '../bridge/hardware';
import type { CallbackReason } from '../outbox';

/** Why the citizen sees the "call failed" screen; each reason has its own plain-language message. */
/**
 * Why the call screen gave way to callFailed. `agentLost`: the agent's side vanished and did not come back
 * within the hub's resume window; `dropped`: the media path itself failed and ICE restarts did not bring it
 * back in time. Both offer the head of the line again (context.lostCallId) or a callback.
 */
export type FailureReason = 'noAgent' | 'dropped' | 'agentLost' | 'hubOffline' | 'error';

/** Timers of the visit (KioskPublicConfig.timers); every one is a machine `delay`. */
export interface SessionTimers {
  /** No touch for this long (outside a call) opens the "Êtes-vous encore là ?" prompt. */
  idleMs: number;
  /** Visible countdown of the idle prompt before the visit is reset. */
  idleCountdownMs: number;
  /** Time in line before the kiosk gives up and says no agent is available (touched or not). */
  waitTimeoutMs: number;
  /**
   * Time in line without any touch after which a booth gives the citizen's place up (the idle prompt
   * went unanswered all along). Default DEFAULT_WAITING_LIMIT_MS. The idle prompt alone never does.
   */
  waitingLimitMs?: number;
  /**
   * How long a presence sensor must report nobody at the booth before an unanswered idle prompt
   * gives a queued citizen's place up. Default DEFAULT_PRESENCE_ABSENT_MS. Booths without a sensor never send it.
   */
  presenceAbsentMs?: number;
  /** How long the thank-you screen stays before attract. */
  thankYouMs: number;
  /** How long the consent-refused screen stays before attract. */
  declinedMs: number;
  /**
   * How long a call whose media path is down (ICE disconnected, or the agent's peer closed) waits for it
   * to come back or for the hub's word before calling it lost. Default CALL_RECOVERY_MS.
   */
  callRecoveryMs?: number;
}

/**
 * 65 s, Jitsi's figure. It is longer than the hub's resume window (60 s, server/dispatcher.ts
 * RESUME_WINDOW_MS) so that when the agent is truly gone the hub's verdict arrives first and the citizen
 * reads the precise "L'agent a été déconnecté" rather than a generic lost call; the agent's ICE restarts
 * (every 5 s, renderer/shared/peer.ts) get a dozen tries, enough for an office router's reboot or a
 * DHCP renewal, and a citizen does not face a frozen picture for more than about a minute.
 */
export const CALL_RECOVERY_MS = 65_000;

/**
 * 30 min: a citizen who stays in line without touching anything (watching the screen, reading, on
 * a booth without a presence sensor) keeps their place at least this long. It is longer than the
 * waits the hub estimates at normal staffing and short enough that a booth left by someone who
 * walked away without pressing Annuler does not block the line and the booth for an hour.
 */
export const DEFAULT_WAITING_LIMIT_MS = 30 * 60_000;
/**
 * 2 min: presence sensors (PIR, radar) lose a person who sits still or bends to a bag for seconds at
 * a time; two minutes of "nobody" together with an unanswered prompt means they really left.
 */
export const DEFAULT_PRESENCE_ABSENT_MS = 2 * 60_000;

/** Why a callback is offered: the outbox record's own type. */
export type { CallbackReason };

/** The screen the callback form was opened from ("Retour" goes back to it). */
export type CallbackFrom = 'callFailed' | 'videoUnavailable' | 'closed';

/** Where the agent's voice and the citizen's microphone go. */
export type AudioRoute = 'speaker' | 'handset';

/** What the machine is created with (`createActor(machine, { input })`). */
export interface SessionInput {
  /** Visit timers from the kiosk configuration. */
  timers: SessionTimers;
  /** Weekly opening hours (the `isOpen` guard reads them with the injected clock). */
  schedule: WeeklySchedule;
  /** Service ids the citizen may pick (anything else is ignored). */
  serviceIds: string[];
  /** Unique per renderer load, so call request ids never repeat after a reload. */
  idPrefix: string;
}

/** Survey answer: 1 (very unhappy) … 5 (very happy) and an optional comment. */
export interface SurveyAnswer {
  /** 1–5. */
  rating: number;
  /** Free text, possibly empty. */
  comment: string;
}

/**
 * Every event the session machine understands (namespaced). UI events come from the screens,
 * `call.*`/`hub.*` from the hub link (see hub-events.ts), `devices.*` and `call.connected`… from
 * the injected media and call actors, `session.reset` and `hours.tick` from the shell.
 */
export type SessionEvent =
  // citizen (screens)
  | { type: 'touch' } // attract: touch anywhere
  | { type: 'visit.start' } // same as touch, for a start button / presence sensor
  | { type: 'activity' } // any pointer or key input: restarts the idle timer
  | { type: 'lang.select'; lang: UiLanguage }
  /** "Je suis sourd ou malentendant": the text conversation is offered first (before the call is requested). */
  | { type: 'access.textFirst'; on: boolean }
  | { type: 'service.select'; serviceId: string }
  | { type: 'visit.walkIn' }
  | { type: 'visit.appointment' }
  | { type: 'code.submit'; code: string }
  | { type: 'consent.accept'; audioOnly?: boolean } // audioOnly: "Micro seulement" (no camera)
  | { type: 'consent.refuse' }
  | { type: 'devices.continue' }
  | { type: 'visit.back' } // "Retour": previous screen
  | { type: 'visit.cancel' } // "Annuler" / "Terminer": leave the visit (reset)
  | { type: 'visit.done' } // leave a final screen (declined, failed, thanks) early
  | { type: 'call.retry' }
  | { type: 'call.audioOnly' } // videoUnavailable: "Appel audio" instead of the phone number
  | { type: 'call.hangup' }
  | { type: 'call.mute'; muted: boolean }
  | { type: 'survey.submit'; rating: number; comment: string }
  | { type: 'survey.skip' }
  | { type: 'idle.stillHere' }
  | { type: 'callback.offer' } // "Laissez vos coordonnées…" on callFailed / videoUnavailable / closed
  | { type: 'callback.saved' } // outbox.put resolved: the request is committed
  | { type: 'hangup.cancel' } // "Non" on the "Terminer l'appel ?" prompt after the handset was hung up
  // app (outbox.stats / a put refused with outbox_full)
  | { type: 'callback.availability'; available: boolean }
  // hardware (bridge `hardware.input`, sent as is)
  | HardwareInput
  // media actor
  | { type: 'devices.ready' }
  | { type: 'devices.failed'; reason: string }
  // media watch (common/media-watch.ts status, via the app)
  | { type: 'devices.lost'; reason: string } // the live camera stream stopped (unplugged, failed)
  | { type: 'devices.returned' } // a camera is live again
  // hub link (frames from the hub, mapped by hubFrameToEvent)
  | { type: 'call.queued'; callId: string; requestId: string; position: number; estimateSeconds: number | null; noAgent?: boolean }
  | { type: 'queue.update'; callId: string; position: number; estimateSeconds: number | null; noAgent?: boolean }
  | { type: 'call.accepted'; callId: string; agentName: string }
  | { type: 'call.signal'; callId: string; data: Record<string, unknown> }
  | { type: 'call.ended'; callId: string; reason: EndReason }
  | { type: 'call.resumed'; callId: string } // the hub link came back and the hub re-attached our live call
  | { type: 'hub.error'; code: string; ref?: string }
  | { type: 'hub.status'; status: 'connecting' | 'online' | 'offline' }
  // call actor (peer state)
  | { type: 'call.connected' }
  | { type: 'call.reconnecting' }
  | { type: 'call.peerClosed' }
  | { type: 'call.failed'; reason: FailureReason; requestId?: string }
  // shell
  | { type: 'session.reset'; reason: string }
  | { type: 'hours.tick' };

/** Context of one visit; `clearVisit` puts every visit field back to these values. */
export interface SessionContext {
  /** Timers (constant for the machine's life). */
  timers: SessionTimers;
  /** Opening hours (constant). */
  schedule: WeeklySchedule;
  /** Known service ids (constant). */
  serviceIds: string[];
  /** Prefix of call request ids (constant). */
  idPrefix: string;
  /** Monotonic counter for request ids; never reset (ids must stay unique). */
  requestSeq: number;
  /** Language of the screens (the call's is callLanguageOf(lang)); back to 'fr' on reset. */
  lang: UiLanguage;
  /** The citizen chose "Je suis sourd ou malentendant": text first in the call. */
  textFirst: boolean;
  /** Microphone only: consent without the camera, or the audio call offered when the camera failed. */
  audioOnly: boolean;
  /** Chosen service id. */
  serviceId: string | null;
  /** Walk-in or appointment. */
  visitType: 'walkIn' | 'appointment' | null;
  /** Appointment code typed on the keypad (passed to the agent). */
  appointmentCode: string | null;
  /** The last submitted code was invalid. */
  codeError: boolean;
  /** Id of our pending call.request (matches call.queued). */
  requestId: string | null;
  /** Hub's call id once queued. */
  callId: string | null;
  /** An agent accepted the call (so leaving sends call.end rather than call.cancel). */
  callActive: boolean;
  /** 1-based place in line. */
  position: number | null;
  /** Estimated wait in seconds; null while unknown or when no agent is available. */
  estimateSeconds: number | null;
  /** The hub says no agent who serves this line is available now ("Aucun agent n'est disponible pour le moment"). */
  noAgent: boolean;
  /** The presence sensor's last word while in line: null when it said nothing since (or the booth has none). */
  present: boolean | null;
  /** Display name of the agent who took the call. */
  agentName: string | null;
  /** Signals that arrived before the call actor existed (handed to it on start). */
  earlySignals: Record<string, unknown>[];
  /** Microphone muted by the citizen. */
  muted: boolean;
  /** Why the last call failed (callFailed screen). */
  failure: FailureReason | null;
  /** The call this visit lost (agent gone or media lost): "Réessayer" asks for the head of that line again. */
  lostCallId: string | null;
  /** In a call, the hub link is down (the call goes on peer to peer; the call screen says the link is recovering). */
  linkDown: boolean;
  /** Submitted survey (until reset). */
  survey: SurveyAnswer | null;
  /** How the visit is ending so far (anonymous visit record); 'cancelled' until something better is known. */
  outcome: VisitOutcome;
  /** Wall-clock marks (ms) of the visit, for the anonymous visit record's wait and duration. */
  stamps: VisitStamps;
  /** The outbox can take a callback request (null: not asked yet; false: full or unavailable). */
  callbackAvailable: boolean | null;
  /** Screen the callback form was opened from. */
  callbackFrom: CallbackFrom | null;
  /** Why the callback is offered (stored with the request). */
  callbackReason: CallbackReason | null;
  /** Where audio goes: the loudspeaker, or the handset once lifted. */
  audioRoute: AudioRoute;
  /** Last code read by the scanner (prefills the keypad when it was not a valid code). */
  scannedCode: string | null;
}

/** Outcome of a visit (common/outbox.ts VisitRecord): `callback` once a request is saved, `closed` for a visit started from the closed screen. */
export type VisitOutcome = 'completed' | 'cancelled' | 'no_agent' | 'failed' | 'consent_refused' | 'idle' | 'closed' | 'callback';

/** When the visit, the (last) wait and the call started and ended; null until it happens. */
export interface VisitStamps {
  /** The visit started (first touch). */
  visit: number | null;
  /** Entered the waiting line. */
  waitStart: number | null;
  /** Left the waiting line (answered, failed or left). */
  waitEnd: number | null;
  /** The agent answered. */
  callStart: number | null;
  /** The call ended. */
  callEnd: number | null;
}
export type StampMark = keyof VisitStamps;

type VisitFields = Omit<SessionContext, 'timers' | 'schedule' | 'serviceIds' | 'idPrefix' | 'requestSeq'>;

/** The hub call's fields when the visit holds no call (a fresh object each time). */
export const noCall = () => ({
  requestId: null,
  callId: null,
  callActive: false,
  position: null,
  estimateSeconds: null,
  noAgent: false,
  earlySignals: [] as Record<string, unknown>[],
});

/** The visit fields of the context, as they are at the start of every visit (a fresh object each time). */
export const emptyVisit = (): VisitFields => ({
  lang: 'fr',
  textFirst: false,
  audioOnly: false,
  present: null,
  serviceId: null,
  visitType: null,
  appointmentCode: null,
  codeError: false,
  ...noCall(),
  agentName: null,
  muted: false,
  failure: null,
  lostCallId: null,
  linkDown: false,
  survey: null,
  outcome: 'cancelled',
  stamps: { visit: null, waitStart: null, waitEnd: null, callStart: null, callEnd: null },
  callbackAvailable: null,
  callbackFrom: null,
  callbackReason: null,
  audioRoute: 'speaker',
  scannedCode: null,
});
