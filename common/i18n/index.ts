// Message catalogs, French first. Each domain owns one file per language (fr/<domain>.ts is the
// reference; en/<domain>.ts must have exactly its keys, which `satisfies` checks at compile time).
// To add a domain: create both files and list them in `fr` and `en` below.
import type { Language } from '../config';
import frCommon from './fr/common';
import enCommon from './en/common';
import frAgent from './fr/agent';
import enAgent from './en/agent';
import frHardware from './fr/hardware';
import enHardware from './en/hardware';
import frOutbox from './fr/outbox';
import enOutbox from './en/outbox';
import frKiosk from './fr/kiosk';
import enKiosk from './en/kiosk';
import frTechnician from './fr/technician';
import enTechnician from './en/technician';

const fr = { ...frCommon, ...frAgent, ...frHardware, ...frOutbox, ...frKiosk, ...frTechnician };
const en: Record<keyof typeof fr, string> = { ...enCommon, ...enAgent, ...enHardware, ...enOutbox, ...enKiosk, ...enTechnician };

export type MessageKey = keyof typeof fr;
export const catalogs: Record<Language, Record<MessageKey, string>> = { fr, en };

/** Looks up `key` and fills `{name}` placeholders. A missing key is a build error, not a runtime blank. */
export function t(lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogs[lang][key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/** A translator bound to one language (what screens use). */
export const translator = (lang: Language) => (key: MessageKey, params?: Record<string, string | number>) => t(lang, key, params);
