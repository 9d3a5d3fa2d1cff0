import { describe, expect, it } from 'vitest';
import { defaultServices, type UiLanguage } from '../config';
import {
  callLanguageOf,
  catalogs,
  interpreterFor,
  messageArguments,
  messageLanguage,
  offeredLanguages,
  startScreenKeys,
  t,
  textIn,
  translator,
  uiLanguage,
  uiLanguages,
  type MessageKey,
} from './index';

const fr = catalogs.fr;
const allLanguages = uiLanguages.map((l) => l.code);
const entries = (lang: UiLanguage) => Object.entries(catalogs[lang]) as [MessageKey, string][];

describe('catalog structure', () => {
  it('start screens cover every screen the brief names', () => {
    for (const prefix of ['kiosk.language.', 'kiosk.service.', 'kiosk.visitType.', 'kiosk.code.', 'kiosk.consent.', 'kiosk.declined.', 'kiosk.waiting.', 'callback.', 'kiosk.idle.']) {
      expect(startScreenKeys.some((k) => k.startsWith(prefix)), prefix).toBe(true);
    }
    expect(startScreenKeys).toContain('callback.saved');
    expect(startScreenKeys).not.toContain('callbacks.title'); // the agent's list, not the citizen's form
  });

  it.each(offeredLanguages.map((l) => l.code))('%s offered: every start-screen key is present and not empty', (lang) => {
    const missing = startScreenKeys.filter((k) => !catalogs[lang][k]?.trim());
    expect(missing).toEqual([]);
  });

  it.each(allLanguages)('%s: every key exists in French (no stray keys)', (lang) => {
    expect(Object.keys(catalogs[lang]).filter((k) => !(k in fr))).toEqual([]);
  });

  it.each(allLanguages)('%s: every message parses as ICU and uses the same arguments as French', (lang) => {
    const bad: string[] = [];
    for (const [key, message] of entries(lang)) {
      let args: string[];
      try {
        args = messageArguments(message);
      } catch (err) {
        bad.push(`${key}: does not parse (${(err as Error).message})`);
        continue;
      }
      const ref = messageArguments(fr[key]);
      if (args.join(',') !== ref.join(',')) bad.push(`${key}: {${args.join(',')}} but French has {${ref.join(',')}}`);
    }
    expect(bad).toEqual([]);
  });

  it.each(['es', 'ar', 'zh'] as const)('%s: start screens are translated, not French copied over', (lang) => {
    const same = startScreenKeys.filter((k) => catalogs[lang][k] === fr[k]);
    expect(same).toEqual([]);
  });

  it('each translation is written in its own script', () => {
    const arabic = /[\u0600-\u06ff]/;
    const han = /[\u4e00-\u9fff]/;
    for (const k of startScreenKeys) {
      expect(catalogs.ar[k], k).toMatch(arabic);
      expect(catalogs.zh[k], k).toMatch(han);
    }
  });

  it('Arabic keeps phone numbers and addresses in left-to-right isolates (digits keep their order)', () => {
    const isolated = /\u2066\{(number|phone|tollFree|url|code)\}\u2069/g;
    const offenders = entries('ar').filter(([, m]) => /\{(number|phone|tollFree|url|code)\}/.test(m.replace(isolated, '')));
    expect(offenders.map(([k]) => k)).toEqual([]);
    expect(catalogs.ar['callback.phone.hint']).toContain('\u2066418 555-0123\u2069');
  });
});

describe('t (ICU MessageFormat)', () => {
  it('fills simple arguments exactly as the former {name} replacement did', () => {
    // Every French and English message without plural/select: ICU must not change a character
    // (apostrophes, quotes, guillemets) compared with plain placeholder replacement.
    const diffs: string[] = [];
    for (const lang of ['fr', 'en'] as const) {
      for (const [key, message] of entries(lang)) {
        if (/\{\w+,/.test(message)) continue;
        const params = Object.fromEntries(messageArguments(message).map((a) => [a, `<${a}>`]));
        const naive = message.replace(/\{(\w+)\}/g, (_, a: string) => `<${a}>`);
        const got = t(lang, key, params);
        if (got !== naive) diffs.push(`${lang} ${key}: ${JSON.stringify(got)} != ${JSON.stringify(naive)}`);
      }
    }
    expect(diffs).toEqual([]);
  });

  it('plural: the waiting estimate says "less than a minute" for 0 and keeps the short unit otherwise', () => {
    expect(t('fr', 'kiosk.waiting.estimate', { minutes: 0 })).toBe('Attente estimée : moins d’une minute');
    expect(t('fr', 'kiosk.waiting.estimate', { minutes: 4 })).toBe('Attente estimée : environ 4 min');
    expect(t('en', 'kiosk.waiting.estimate', { minutes: 12 })).toBe('Estimated wait: about 12 min');
    expect(t('zh', 'kiosk.waiting.estimate', { minutes: 3 })).toBe('预计等待：约 3 分钟');
  });

  it('plural: Arabic picks its own forms (one, two, few, many, other) with Latin digits', () => {
    const countdown = (n: number) => t('ar', 'kiosk.idle.countdown', { seconds: n });
    expect(countdown(1)).toBe('العودة إلى البداية خلال ثانية واحدة');
    expect(countdown(2)).toBe('العودة إلى البداية خلال ثانيتين');
    expect(countdown(5)).toBe('العودة إلى البداية خلال 5 ثوانٍ');
    expect(countdown(15)).toBe('العودة إلى البداية خلال 15 ثانية');
    expect(t('ar', 'kiosk.consent.retention', { days: 90 })).toContain('لمدة 90 يومًا،');
    expect(t('ar', 'kiosk.consent.retention', { days: 7 })).toContain('لمدة 7 أيام،');
  });

  it('a key missing from a partial catalog falls back to French, and says so', () => {
    expect(catalogs.es['agent.ring.heading']).toBeUndefined();
    expect(t('es', 'agent.ring.heading')).toBe(fr['agent.ring.heading']);
    expect(messageLanguage('es', 'agent.ring.heading')).toBe('fr');
    expect(messageLanguage('es', 'kiosk.service.title')).toBe('es');
    expect(t('moe', 'kiosk.language.title')).toBe(fr['kiosk.language.title']);
  });

  it('a missing argument shows as {name} instead of throwing in the middle of a screen', () => {
    expect(t('fr', 'kiosk.consent.who')).toBe('Seul un agent du service « {service} » vous voit et vous entend.');
    expect(t('es', 'kiosk.tollFree')).toBe('Llamada gratuita: {number}');
  });

  it('translator binds a language and formats in it', () => {
    const es = translator('es');
    expect(es('kiosk.waiting.position', { position: 3 })).toBe('Su lugar en la fila: 3');
    expect(es('kiosk.service.title')).toBe('¿Qué servicio necesita?');
  });
});

describe('languages', () => {
  it('French first; es, ar, zh offered; the Indigenous slot kept out until complete', () => {
    expect(offeredLanguages.map((l) => l.code)).toEqual(['fr', 'en', 'es', 'ar', 'zh']);
    expect(uiLanguage('moe').complete).toBe(false);
    // The slot is not offered because its start screens are not there: the flag is not a lie.
    expect(startScreenKeys.filter((k) => catalogs.moe[k] === undefined).length).toBeGreaterThan(0);
  });

  it('native names, no flags or pictographs in them', () => {
    expect(offeredLanguages.map((l) => l.nativeName)).toEqual(['Français', 'English', 'Español', 'العربية', '中文（简体）']);
    for (const l of uiLanguages) expect(l.nativeName).not.toMatch(/\p{Extended_Pictographic}|\p{Regional_Indicator}/u);
  });

  it('Arabic is right to left, the others left to right; tags are BCP 47', () => {
    expect(uiLanguages.filter((l) => l.dir === 'rtl').map((l) => l.code)).toEqual(['ar']);
    for (const l of uiLanguages) expect(Intl.getCanonicalLocales(l.tag)[0]).toBe(l.tag);
    expect(uiLanguage('zh').tag).toBe('zh-Hans');
  });

  it('routes to a French or English call; other languages go to French with an interpreter flag', () => {
    expect(callLanguageOf('fr')).toBe('fr');
    expect(callLanguageOf('en')).toBe('en');
    expect(interpreterFor('fr')).toBeNull();
    expect(interpreterFor('en')).toBeNull();
    for (const code of ['es', 'ar', 'zh', 'moe'] as const) {
      expect(callLanguageOf(code)).toBe('fr');
      expect(interpreterFor(code)).toBe(code);
    }
  });

  it('the agent reads the interpreter flag in their own language', () => {
    expect(t('fr', 'agent.ring.interpreter', { language: t('fr', 'language.ar') })).toBe('Interprète requis : arabe');
    expect(t('en', 'agent.ring.interpreter', { language: t('en', 'language.es') })).toBe('Interpreter needed: Spanish');
    for (const l of uiLanguages) expect(fr[`language.${l.code}` as MessageKey]).toBeTruthy();
  });

  it('an unknown code is a clear error', () => {
    expect(() => uiLanguage('xx' as UiLanguage)).toThrow(/unknown UI language: xx/);
  });

  it('service names exist in every offered language; an office that gave none falls back to French', () => {
    for (const s of defaultServices) for (const l of offeredLanguages) expect(s.label[l.code], `${s.id} ${l.code}`).toBeTruthy();
    expect(textIn({ fr: 'Permis', en: 'Permits' }, 'ar')).toBe('Permis');
    expect(textIn({ fr: 'Permis', en: 'Permits', ar: 'التصاريح' }, 'ar')).toBe('التصاريح');
  });
});
