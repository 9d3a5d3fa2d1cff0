import { z } from 'zod';
import { MediaPolicy, MediaPreference } from './media-select';
import { Holidays } from './holidays';

/**
 * Languages of a call: what agents speak and hub queues route by. French first, always. A citizen who
 * reads the screens in another language (UiLanguage) is routed in French with an interpreter flag.
 */
export const Language = z.enum(['fr', 'en']);
export type Language = z.infer<typeof Language>;
/** The same set under the name that says what it is for (agents, queues, call requests). */
export const CallLanguage = Language;
export type CallLanguage = Language;

/**
 * Languages the booth's screens can be shown in (common/i18n/languages.ts gives each its native name,
 * direction, call language and whether its catalog is complete enough to be offered). 'moe' is
 * Innu-aimun, the Indigenous slot: its catalog waits for a community translator (not offered yet).
 */
export const UiLanguage = z.enum(['fr', 'en', 'es', 'ar', 'zh', 'moe']);
export type UiLanguage = z.infer<typeof UiLanguage>;

/** A configured text (service name, office name): French and English required, other languages optional (fall back to French). */
export const LocalizedText = z.object({
  fr: z.string().min(1),
  en: z.string().min(1),
  es: z.string().min(1).optional(),
  ar: z.string().min(1).optional(),
  zh: z.string().min(1).optional(),
  moe: z.string().min(1).optional(),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
/** A closing time may also be 24:00, the end of the day ("00:00"–"24:00" is open all day). */
const CloseHHMM = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM or 24:00');
/** One opening period of a day, [open, close). */
export const Period = z
  .object({ open: HHMM, close: CloseHHMM })
  .refine((p) => p.open < p.close, { message: 'close must be after open', path: ['close'] });
export type Period = z.infer<typeof Period>;

/** Weekly schedule: index 0 = Sunday … 6 = Saturday (Date#getDay order). */
export const WeeklySchedule = z.object({
  timeZone: z.string().default('America/Toronto'),
  days: z.array(z.array(Period)).length(7),
  /** Closed days (Québec statutory holidays, the office's own); absent = none (common/holidays.ts). */
  holidays: Holidays.optional(),
});
export type WeeklySchedule = z.infer<typeof WeeklySchedule>;

const weekday: Period[] = [
  { open: '08:30', close: '12:00' },
  { open: '13:00', close: '16:30' },
];
/** Open every day, all day (the demo booth, test rigs, 24/7 sites). */
export const allDaySchedule: WeeklySchedule = {
  timeZone: 'America/Toronto',
  days: Array.from({ length: 7 }, () => [{ open: '00:00', close: '24:00' }]),
};
export const defaultSchedule: WeeklySchedule = {
  timeZone: 'America/Toronto',
  days: [[], weekday, weekday, weekday, weekday, weekday, []],
};

/** A service a citizen can pick; labels are data (configured per office), in both languages. */
export const ServiceDef = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  label: LocalizedText,
  /** Name of a pictogram in assets/pictograms (rendered beside the text for people who cannot read). */
  icon: z.string().default('info'),
});
export type ServiceDef = z.infer<typeof ServiceDef>;

export const defaultServices: ServiceDef[] = [
  { id: 'emploi', label: { fr: 'Emploi', en: 'Employment', es: 'Empleo', ar: 'التوظيف', zh: '就业' }, icon: 'work' },
  { id: 'solidarite', label: { fr: 'Solidarité sociale', en: 'Social solidarity', es: 'Solidaridad social', ar: 'التضامن الاجتماعي', zh: '社会救助' }, icon: 'hands' },
  { id: 'immigration', label: { fr: 'Immigration', en: 'Immigration', es: 'Inmigración', ar: 'الهجرة', zh: '移民' }, icon: 'passport' },
  { id: 'renseignements', label: { fr: 'Renseignements généraux', en: 'General information', es: 'Información general', ar: 'معلومات عامة', zh: '综合咨询' }, icon: 'info' },
];

/** What the kiosk renderer may know (no secrets): office, services, hours, timers. */
export const KioskPublicConfig = z.object({
  kioskName: z.string().default('Kiosque de démonstration'),
  office: z.object({ fr: z.string(), en: z.string() }).default({ fr: 'Bureau de Services Québec — Démonstration', en: 'Services Québec office — Demo' }),
  tollFree: z.string().default('1 877 644-4545'),
  complaintUrl: z.string().default('quebec.ca/plainte'),
  /** The service's web page, shown as a QR code on the end screens (with the complaint page). */
  serviceUrl: z.string().default('quebec.ca'),
  services: z.array(ServiceDef).min(1).default(defaultServices),
  schedule: WeeklySchedule.default(defaultSchedule),
  /** Retention of anonymous visit data, shown on the consent screen (days). */
  retentionDays: z.number().int().positive().default(90),
  timers: z
    .object({
      idleMs: z.number().int().positive().default(60_000),
      idleCountdownMs: z.number().int().positive().default(15_000),
      /**
       * How long the kiosk waits in line (touched or not) before telling the citizen no agent is
       * available and offering a callback. 45 min: longer than the untouched limit below, so a citizen
       * who answers the prompts is never dropped before one who does not; the hub's estimate (or its
       * "no agent available now") tells them what to expect meanwhile, and Annuler is always there.
       */
      waitTimeoutMs: z.number().int().positive().default(45 * 60_000),
      /** In line without a touch this long, the booth gives the place up (common/session/types.ts DEFAULT_WAITING_LIMIT_MS: why 30 min). */
      waitingLimitMs: z.number().int().positive().default(30 * 60_000),
      /** A presence sensor reporting nobody this long, with the idle prompt unanswered, gives a queued place up (DEFAULT_PRESENCE_ABSENT_MS: why 2 min). */
      presenceAbsentMs: z.number().int().positive().default(2 * 60_000),
      thankYouMs: z.number().int().positive().default(10_000),
      declinedMs: z.number().int().positive().default(15_000),
    })
    .default({ idleMs: 60_000, idleCountdownMs: 15_000, waitTimeoutMs: 45 * 60_000, waitingLimitMs: 30 * 60_000, presenceAbsentMs: 2 * 60_000, thankYouMs: 10_000, declinedMs: 15_000 }),
  /**
   * Camera, microphone and speaker chosen by label pattern (common/media-select.ts), capture quality,
   * and the handset's audio device (used while the handset is lifted). Defaults: any device, 1280×720 @ 30 fps.
   */
  media: MediaPolicy.extend({
    handset: MediaPreference.default({ labels: [], exclude: [], fallback: 'none' }),
  }).default(() => ({ ...MediaPolicy.parse({}), handset: { labels: [], exclude: [], fallback: 'none' as const } })),
  /** Simulation mode shows the technician panel that drives simulated devices. */
  simulation: z.boolean().default(false),
});
export type KioskPublicConfig = z.infer<typeof KioskPublicConfig>;
