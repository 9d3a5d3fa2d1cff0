// The languages a citizen can read the booth in, and how each one reaches an agent.
//
// The call itself is in French or English (agents' languages, hub queues). A citizen who chose any
// other language is routed to a French-speaking agent with an "interpreter needed: <language>" flag:
// French is the language of the Québec administration and every agent speaks it, so the French queue
// is the one where an agent can always answer and bring an interpreter into the call; an English queue
// would only be shorter by chance and may be empty on many sites.
import type { CallLanguage, LocalizedText, UiLanguage } from '../config';

export type { CallLanguage, UiLanguage };

export interface UiLanguageInfo {
  /** Short code used in catalogs, session context and protocol frames. */
  code: UiLanguage;
  /** BCP 47 tag for `<html lang>` and screen readers. */
  tag: string;
  /** Locale given to Intl (plural rules, numbers); may pin digits where the tag alone would not. */
  intlLocale: string;
  /** The language's name in itself, as it appears on the language screen (never a flag). */
  nativeName: string;
  /** Writing direction of the screens. */
  dir: 'ltr' | 'rtl';
  /** The language the call is held in (the agent's queue). */
  callLanguage: CallLanguage;
  /** True when the agent needs an interpreter to talk with this citizen. */
  interpreter: boolean;
  /**
   * Offered on the language screen only when true: the start screens of its catalog are complete
   * (common/i18n/catalogs.test.ts checks every complete language has every start-screen key).
   */
  complete: boolean;
}

/** Every UI language, in the order of the language screen (French first, always). */
export const uiLanguages: readonly UiLanguageInfo[] = [
  { code: 'fr', tag: 'fr-CA', intlLocale: 'fr-CA', nativeName: 'Français', dir: 'ltr', callLanguage: 'fr', interpreter: false, complete: true },
  { code: 'en', tag: 'en-CA', intlLocale: 'en-CA', nativeName: 'English', dir: 'ltr', callLanguage: 'en', interpreter: false, complete: true },
  // Latin American Spanish (usted, "video"): most Spanish-speaking Quebecers come from Latin America.
  { code: 'es', tag: 'es-419', intlLocale: 'es-419', nativeName: 'Español', dir: 'ltr', callLanguage: 'fr', interpreter: true, complete: true },
  // Latin digits: the booth's phone numbers, codes and hours are written with them, and so are the
  // Arabic of the Maghreb most Arabic-speaking Quebecers read; mixing ١٢ with 12 on one screen confuses.
  { code: 'ar', tag: 'ar', intlLocale: 'ar-u-nu-latn', nativeName: 'العربية', dir: 'rtl', callLanguage: 'fr', interpreter: true, complete: true },
  { code: 'zh', tag: 'zh-Hans', intlLocale: 'zh-Hans', nativeName: '中文（简体）', dir: 'ltr', callLanguage: 'fr', interpreter: true, complete: true },
  // Innu-aimun (Côte-Nord, Labrador): the Indigenous slot. Not offered until a community translator
  // completes common/i18n/moe/ (see common/i18n/README.md).
  { code: 'moe', tag: 'moe', intlLocale: 'moe', nativeName: 'Innu-aimun', dir: 'ltr', callLanguage: 'fr', interpreter: true, complete: false },
];

const byCode = new Map(uiLanguages.map((l) => [l.code, l]));

/** Facts about one UI language. */
export function uiLanguage(code: UiLanguage): UiLanguageInfo {
  const info = byCode.get(code);
  if (!info) throw new Error(`unknown UI language: ${String(code)}`);
  return info;
}

/** The languages shown on the language screen: complete catalogs only, French first. */
export const offeredLanguages: readonly UiLanguageInfo[] = uiLanguages.filter((l) => l.complete);

/** The language the call is held in for a citizen who reads the screens in `code`. */
export const callLanguageOf = (code: UiLanguage): CallLanguage => uiLanguage(code).callLanguage;

/** The UI language to put in a call request's interpreter flag, or null when the agent speaks it. */
export const interpreterFor = (code: UiLanguage): UiLanguage | null => (uiLanguage(code).interpreter ? code : null);

/** A configured text (service name…) in `code`, falling back to French where the office gave none. */
export function textIn(text: LocalizedText, code: UiLanguage): string {
  return text[code] ?? text.fr;
}
