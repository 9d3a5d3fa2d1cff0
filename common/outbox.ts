import { z } from 'zod';
import { UiLanguage } from './config';

/**
 * Outbox record kinds (kiosk → hub store-and-forward) and the ingest HTTP contract, shared by the
 * kiosk outbox (main/outbox), the hub (server/ingest) and the screens that build records.
 */

const Service = z.string().min(1).max(40);

/**
 * North-American (NANP) phone number: optional +1 / 1, then a 3-digit area code and a 3-digit
 * exchange that both start with 2–9, then 4 digits. Separators (spaces, dashes, dots, brackets)
 * are ignored. Returns the E.164 form `+1NXXNXXXXXX`, or null when it is not a valid number.
 */
export function normalizeNaPhone(input: string): string | null {
  if (!/^[\d\s().+-]{7,24}$/.test(input)) return null;
  let digits = input.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(digits)) return null;
  // N11 codes (411, 911…) are service codes, never a callable area code or exchange.
  if (digits.slice(1, 3) === '11' || digits.slice(4, 6) === '11') return null;
  return `+1${digits}`;
}

/** A phone number as the citizen typed it, normalised to E.164 (+1…); refuses anything not NANP. */
export const NaPhone = z.string().transform((v, ctx) => {
  const n = normalizeNaPhone(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'not a North American phone number' });
    return z.NEVER;
  }
  return n;
});

/** When the citizen prefers to be called back. */
export const TimeWindow = z.enum(['morning', 'afternoon', 'any']);
export type TimeWindow = z.infer<typeof TimeWindow>;

/** Why the kiosk offered a callback. */
export const CallbackReason = z.enum(['no_agent', 'call_failed', 'hub_unreachable', 'closed']);
export type CallbackReason = z.infer<typeof CallbackReason>;

/** A citizen asks to be called back. `name` and `phone` are personal data (Loi 25). */
export const CallbackRecord = z
  .object({
    name: z.string().trim().min(1).max(80),
    phone: NaPhone,
    timeWindow: TimeWindow,
    service: Service,
    /** The language the citizen read the booth in: the agent who calls back needs an interpreter unless fr/en. */
    language: UiLanguage,
    reason: CallbackReason.optional(),
  })
  .strict();

/** Longest survey comment kept (the kiosk's form cuts there too). */
export const SURVEY_COMMENT_MAX = 500;

/** The end-of-visit survey: rating 1–5, or null when the citizen skipped it. */
export const SurveyRecord = z
  .object({
    service: Service,
    language: UiLanguage,
    rating: z.number().int().min(1).max(5).nullable(),
    comment: z.string().trim().max(SURVEY_COMMENT_MAX).optional(),
  })
  .strict();
export type SurveyRecord = z.infer<typeof SurveyRecord>;

/** An anonymous visit: nothing that identifies the citizen. */
export const VisitRecord = z
  .object({
    service: Service.nullable(),
    language: UiLanguage,
    waitMs: z.number().int().nonnegative(),
    durationMs: z.number().int().nonnegative(),
    outcome: z.enum(['completed', 'cancelled', 'no_agent', 'failed', 'consent_refused', 'idle', 'closed', 'callback']),
  })
  .strict();

/** Something the booth wants a technician to know (device lost, database set aside…). */
export const IncidentRecord = z
  .object({
    code: z.string().min(1).max(64),
    severity: z.enum(['info', 'warning', 'error']),
    message: z.string().max(2000),
  })
  .strict();

/** Periodic health figures (flat metric map; values are small scalars). */
export const HealthRecord = z
  .object({
    metrics: z.record(z.string().max(64), z.union([z.number(), z.string().max(200), z.boolean(), z.null()])).refine((m) => Object.keys(m).length <= 100, 'too many metrics'),
  })
  .strict();

export const recordSchemas = {
  callback: CallbackRecord,
  survey: SurveyRecord,
  visit: VisitRecord,
  incident: IncidentRecord,
  health: HealthRecord,
} as const;

export const OutboxKind = z.enum(['callback', 'survey', 'visit', 'incident', 'health']);
export type OutboxKind = z.infer<typeof OutboxKind>;
/** Record types after validation (phone normalised). */
export type OutboxRecord<K extends OutboxKind = OutboxKind> = z.output<(typeof recordSchemas)[K]>;
/** Record types as a screen builds them (before normalisation). */
export type OutboxRecordInput<K extends OutboxKind = OutboxKind> = z.input<(typeof recordSchemas)[K]>;

/** Records a citizen left (never dropped for space); the rest is telemetry (dropped oldest first at the cap). */
export const CITIZEN_KINDS: ReadonlySet<OutboxKind> = new Set(['callback', 'survey']);
/** Contact details: encrypted at rest on the kiosk, and kept out of the hub's ingest log (the callbacks table holds them until done). */
export const PERSONAL_FIELDS: Readonly<Partial<Record<OutboxKind, readonly string[]>>> = { callback: ['name', 'phone'] };
/**
 * Everything a citizen typed is encrypted at rest on the kiosk until the hub acknowledges it: the
 * contact details, and a survey's free-text comment (people write their name or number there too).
 */
export const SEALED_FIELDS: Readonly<Partial<Record<OutboxKind, readonly string[]>>> = { ...PERSONAL_FIELDS, survey: ['comment'] };

/** One bridge/put input: a kind and its record (validated in main by the kind's schema). */
export const OutboxPutInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('callback'), record: CallbackRecord }),
  z.object({ kind: z.literal('survey'), record: SurveyRecord }),
  z.object({ kind: z.literal('visit'), record: VisitRecord }),
  z.object({ kind: z.literal('incident'), record: IncidentRecord }),
  z.object({ kind: z.literal('health'), record: HealthRecord }),
]);

// ---- ingest HTTP contract (kiosk → hub) ------------------------------------------------------

export const INGEST_VERSION = 1;
/** POST, `Authorization: Kiosk <kioskId>:<secret>`, body IngestRequest, answer IngestResponse. */
export const INGEST_PATH = '/api/outbox/ingest';
export const INGEST_MAX_RECORDS = 1000;

/** UUIDv7 in canonical text form: the idempotency key, time-ordered. */
export const IdempotencyKey = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'expected a UUIDv7');

/** One record on the wire: `data` is validated by the hub per kind, so one bad record never sinks a batch. */
export const IngestItem = z.object({
  id: IdempotencyKey,
  kind: z.string().max(32),
  createdAt: z.number().int().nonnegative(),
  data: z.unknown(),
});
export type IngestItem = z.infer<typeof IngestItem>;

export const IngestRequest = z.object({ v: z.literal(INGEST_VERSION), records: z.array(IngestItem).min(1).max(INGEST_MAX_RECORDS) }).strict();
export type IngestRequest = z.infer<typeof IngestRequest>;

/**
 * Per-record acknowledgement: `stored` (new) and `duplicate` (already held) both mean the hub has it
 * durably, so the kiosk may purge it; `rejected` is final (malformed for this hub) — do not resend —
 * except a rejection whose error starts with ID_COLLISION: the hub holds a *different* record under
 * that id (another booth's, or one cloned from this booth's image), so the kiosk keeps the record,
 * gives it a fresh id and sends it again. A record absent from `results` was not processed: resend it later.
 */
export const ID_COLLISION = 'id_collision';
export const IngestAck = z.object({ id: z.string(), status: z.enum(['stored', 'duplicate', 'rejected']), error: z.string().optional() });
export type IngestAck = z.infer<typeof IngestAck>;
export const IngestResponse = z.object({ results: z.array(IngestAck) });
export type IngestResponse = z.infer<typeof IngestResponse>;

export const kioskAuthHeader = (kioskId: string, secret: string): string => `Kiosk ${kioskId}:${secret}`;

// ---- callbacks API (hub → agent console) -----------------------------------------------------

export const CALLBACKS_PATH = '/api/callbacks';
export const CallbackStatus = z.enum(['open', 'claimed', 'done']);
export type CallbackStatus = z.infer<typeof CallbackStatus>;

/** A callback as an agent sees it; name and phone only for the agent who claimed it. */
export const CallbackView = z.object({
  id: z.string(),
  kioskId: z.string(),
  service: z.string(),
  language: UiLanguage,
  timeWindow: TimeWindow,
  reason: z.string().nullable(),
  createdAt: z.number(),
  status: CallbackStatus,
  claimedBy: z.string().nullable(),
  /** True when the requesting agent holds the claim. */
  mine: z.boolean(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
});
export type CallbackView = z.infer<typeof CallbackView>;
export const CallbackList = z.object({ callbacks: z.array(CallbackView) });
