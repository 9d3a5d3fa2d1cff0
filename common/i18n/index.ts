// Message catalogs, French first, in ICU MessageFormat (FormatJS intl-messageformat: plurals, selects,
// numbers). Each domain owns one file per language: fr/<domain>.ts is the reference; en/<domain>.ts
// must have exactly its keys (`satisfies` checks at compile time). The other languages (es, ar, zh,
// and the Indigenous slot moe) are `Partial`: a key they lack falls back to French at run time,
// except on the start screens (startScreenKeys below), which catalogs.test.ts requires complete for
// every language the language screen offers. Staff screens (agent console, technician panel,
// hardware) are French and English only.
// To add a domain: create fr and en files (and es/ar/zh for citizen-facing text), list them below.
import { IntlMessageFormat } from 'intl-messageformat';
import type { Language, UiLanguage } from '../config';
import { uiLanguage } from './languages';
import frCommon from './fr/common';
import enCommon from './en/common';
import esCommon from './es/common';
import arCommon from './ar/common';
import zhCommon from './zh/common';
import moeCommon from './moe/common';
import frAgent from './fr/agent';
import enAgent from './en/agent';
import frHardware from './fr/hardware';
import enHardware from './en/hardware';
import frOutbox from './fr/outbox';
import enOutbox from './en/outbox';
import esOutbox from './es/outbox';
import arOutbox from './ar/outbox';
import zhOutbox from './zh/outbox';
import moeOutbox from './moe/outbox';
import frKiosk from './fr/kiosk';
import enKiosk from './en/kiosk';
import esKiosk from './es/kiosk';
import arKiosk from './ar/kiosk';
import zhKiosk from './zh/kiosk';
import moeKiosk from './moe/kiosk';
import frTechnician from './fr/technician';
import enTechnician from './en/technician';
import frVoice from './fr/voice';
import enVoice from './en/voice';
import esVoice from './es/voice';
import arVoice from './ar/voice';
import zhVoice from './zh/voice';
import frEnroll from './fr/enroll';
import enEnroll from './en/enroll';
import esEnroll from './es/enroll';
import arEnroll from './ar/enroll';
import zhEnroll from './zh/enroll';
import frConsole from './fr/console';
import enConsole from './en/console';

export { callLanguageOf, interpreterFor, offeredLanguages, textIn, uiLanguage, uiLanguages, type UiLanguageInfo } from './languages';

const fr = { ...frCommon, ...frAgent, ...frHardware, ...frOutbox, ...frKiosk, ...frTechnician, ...frVoice, ...frEnroll, ...frConsole };
const en: Record<keyof typeof fr, string> = { ...enCommon, ...enAgent, ...enHardware, ...enOutbox, ...enKiosk, ...enTechnician, ...enVoice, ...enEnroll, ...enConsole };

export type MessageKey = keyof typeof fr;
/** A complete catalog (French, English). */
export type Catalog = Record<MessageKey, string>;
/** A catalog that may lack keys (every other language): what is missing shows, in tests, as a gap. */
export type PartialCatalog = Partial<Catalog>;

export const catalogs: { fr: Catalog; en: Catalog } & Record<Exclude<UiLanguage, Language>, PartialCatalog> = {
  fr,
  en,
  es: { ...esCommon, ...esOutbox, ...esKiosk, ...esVoice, ...esEnroll },
  ar: { ...arCommon, ...arOutbox, ...arKiosk, ...arVoice, ...arEnroll },
  zh: { ...zhCommon, ...zhOutbox, ...zhKiosk, ...zhVoice, ...zhEnroll },
  moe: { ...moeCommon, ...moeOutbox, ...moeKiosk },
};

/**
 * Keys a language must have before the language screen offers it: everything a citizen reads from
 * the language choice to the waiting line (service, visit type, appointment code, consent, declined,
 * waiting, the callback form and its confirmation, the idle prompt, the closed screen and its hours,
 * the deaf-or-hard-of-hearing choice), plus the common buttons and the
 * top bar (display modes, the Listen button). Other spoken prompts (voice.prompt.*) are not required:
 * a language without its own voice.ts speaks French (common/i18n/README.md).
 * Expressed as prefixes so a key added to one of these screens is required at once.
 */
export const startScreenPrefixes = [
  'action.',
  'kiosk.language.',
  'kiosk.service.',
  'kiosk.visitType.',
  'kiosk.code.',
  'kiosk.consent.',
  'kiosk.declined.',
  'kiosk.waiting.',
  'kiosk.idle.',
  'kiosk.action.',
  'kiosk.modes.',
  'kiosk.access.',
  'kiosk.attract.',
  'kiosk.closed.',
  'kiosk.day.',
  'voice.listen',
  'kiosk.callback.',
  'kiosk.tollFree',
  'callback.',
] as const;

/** Every key of the start screens (derived from the French reference). */
export const startScreenKeys: readonly MessageKey[] = (Object.keys(fr) as MessageKey[]).filter((k) =>
  startScreenPrefixes.some((p) => (p.endsWith('.') ? k.startsWith(p) : k === p)),
);

/** The language `key` is actually shown in for `lang` (French when `lang`'s catalog lacks it). */
export function messageLanguage(lang: UiLanguage, key: MessageKey): UiLanguage {
  return catalogs[lang][key] === undefined ? 'fr' : lang;
}

/** Names of the arguments a message uses (`{name}`, `{n, plural, …}`, nested ones too), sorted. */
export function messageArguments(message: string): string[] {
  return [...argumentsOf(new IntlMessageFormat(message, 'fr', undefined, { ignoreTag: true }).getAst())].sort();
}

// Walks the parser's AST structurally: literals (type 0) and `#` (type 7) carry no argument name.
type Node = { type: number; value?: unknown; options?: Record<string, { value: Node[] }>; children?: Node[] };
function argumentsOf(ast: readonly unknown[], into = new Set<string>()): Set<string> {
  for (const n of ast as Node[]) {
    if (n.type !== 0 && n.type !== 7 && typeof n.value === 'string') into.add(n.value);
    for (const o of Object.values(n.options ?? {})) argumentsOf(o.value, into);
    if (n.children) argumentsOf(n.children, into);
  }
  return into;
}

interface Compiled {
  format: IntlMessageFormat;
  args: string[];
  source: string;
}
const compiled = new Map<string, Compiled>();

function compile(lang: UiLanguage, key: MessageKey): Compiled {
  const shownIn = messageLanguage(lang, key);
  const id = `${shownIn}\u0000${key}`;
  let c = compiled.get(id);
  if (!c) {
    const source = shownIn === 'fr' ? fr[key] : (catalogs[shownIn][key] as string);
    const format = new IntlMessageFormat(source, uiLanguage(shownIn).intlLocale, undefined, { ignoreTag: true });
    c = { format, args: [...argumentsOf(format.getAst())], source };
    compiled.set(id, c);
  }
  return c;
}

/**
 * Looks up `key` in `lang` (French where a partial catalog lacks it) and formats it (ICU plurals,
 * selects, numbers). A missing key in French is a build error, not a runtime blank; a missing
 * argument shows as `{name}` rather than throwing in the middle of a screen.
 */
export function t(lang: UiLanguage, key: MessageKey, params: Record<string, string | number> = {}): string {
  const c = compile(lang, key);
  const values: Record<string, string | number> = { ...params };
  for (const a of c.args) if (!(a in values)) values[a] = `{${a}}`;
  try {
    return String(c.format.format(values));
  } catch {
    // A plural given a non-number: show the source rather than break the screen (tests catch it).
    return c.source;
  }
}

/** A translator bound to one language (what screens use). */
export const translator = (lang: UiLanguage) => (key: MessageKey, params?: Record<string, string | number>) => t(lang, key, params);
