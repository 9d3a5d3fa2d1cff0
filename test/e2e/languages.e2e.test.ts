// The booth in the citizen's language, on the real kiosk page (browser runtime, real hub, Debian's
// Chromium): the language screen offers every complete language by its native name (no flag, no
// globe), choosing one sets <html lang dir>, the start screens read in that language with no French
// left on them, Arabic mirrors the layout, and an Arabic callback request is kept and delivered.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { defaultServices, type UiLanguage } from '../../common/config';
import { catalogs, offeredLanguages, t, textIn, uiLanguage, uiLanguages, type MessageKey } from '../../common/i18n/index';
import { fillCallbackForm, hubCallbacks } from '../support/callback';
import { screen, useE2ESession } from '../support/e2e';
import { agentReady, neverOpen, type Stack } from '../support/stack';

const e2e = useE2ESession();
// Long enough that no screen moves on by itself while the test reads it.
const timers = { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 60_000, declinedMs: 60_000 };

async function kioskPage(s: Stack, first: 'attract' | 'closed' = 'attract', viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const p = await (await e2e.context(viewport)).newPage();
  await p.goto(s.kioskUrl);
  await screen(p, first);
  return p;
}

async function chooseLanguage(k: Page, code: UiLanguage): Promise<void> {
  await k.getByTestId('attract-start').click();
  await screen(k, 'language');
  await k.getByTestId(`lang-${code}`).click();
  await screen(k, 'service');
}

/** Catalog keys a citizen can see (staff domains are French/English only by design). */
const citizenKey = (k: string) => /^(kiosk|callback|action|voice|error)\./.test(k);

/**
 * French texts that must not show on a screen in `code`: every French citizen message without
 * arguments, except those the target language writes the same way (a brand, "Volume"…).
 */
function frenchLeftovers(code: UiLanguage): Set<string> {
  const own = new Set(Object.values(catalogs[code]));
  return new Set(
    (Object.entries(catalogs.fr) as [MessageKey, string][])
      .filter(([k, v]) => citizenKey(k) && !v.includes('{') && !own.has(v))
      .map(([, v]) => v),
  );
}

/** Every text node and accessible-name attribute on the current screen, trimmed. */
const visibleTexts = (k: Page): Promise<string[]> =>
  k.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('script, style, [hidden], [aria-hidden="true"]') || el.getClientRects().length === 0) continue;
      const v = (n.textContent ?? '').trim();
      if (v) out.push(v);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });

/** The screen shows `code`'s texts for `keys` and no French message. */
async function expectScreenIn(k: Page, code: UiLanguage, name: string, keys: MessageKey[], params: Record<string, string | number> = {}): Promise<void> {
  await screen(k, name);
  const texts = await visibleTexts(k);
  const all = texts.join('\n');
  for (const key of keys) expect(all, `${name}: ${key}`).toContain(t(code, key, params));
  const french = frenchLeftovers(code);
  expect(texts.filter((x) => french.has(x)), `${name}: French left in ${code}`).toEqual([]);
}

/**
 * True when two different characters of the script draw differently in the screen's font: a missing
 * font draws every character as the same empty box ("tofu"), which no DOM check would notice.
 */
const glyphsDiffer = (k: Page, a: string, b: string): Promise<boolean> =>
  k.evaluate(
    ([a, b]) => {
      const font = getComputedStyle(document.querySelector('h1, h2') ?? document.body).fontFamily;
      const draw = (ch: string) => {
        const c = document.createElement('canvas');
        c.width = c.height = 64;
        const g = c.getContext('2d')!;
        g.font = `48px ${font}`;
        g.fillText(ch, 4, 52);
        return g.getImageData(0, 0, 64, 64).data.join(',');
      };
      return draw(a!) !== draw(b!);
    },
    [a, b],
  );

const page = (k: Page) =>
  k.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, direction: getComputedStyle(document.body).direction }));

describe('languages', () => {
  it('the language screen offers every complete language by its native name, no flag or globe; Innu-aimun waits for its translator', async () => {
    const s = await e2e.stack({ agents: 0, publicConfig: { timers } });
    const k = await kioskPage(s);
    await k.getByTestId('attract-start').click();
    await screen(k, 'language');
    const buttons = await k.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-testid^="lang-"]')].map((b) => ({
        testid: b.dataset.testid,
        // The label itself (a button may carry a line under it, e.g. the title in that language).
        text: ((b.querySelector('.btn-label') as HTMLElement | null) ?? b).innerText.trim(),
        lang: b.getAttribute('lang'),
        pictograms: b.querySelectorAll('svg, img, .icon, [class*="pictogram"]').length,
      })),
    );
    expect(buttons.map((b) => b.testid)).toEqual(offeredLanguages.map((l) => `lang-${l.code}`));
    for (const [i, l] of offeredLanguages.entries()) {
      expect(buttons[i]).toEqual({ testid: `lang-${l.code}`, text: l.nativeName, lang: l.tag, pictograms: 0 });
      expect(buttons[i]!.text).not.toMatch(/\p{Extended_Pictographic}|\p{Regional_Indicator}/u);
    }
    expect(uiLanguages.some((l) => !l.complete)).toBe(true);
    expect(await k.getByTestId('lang-moe').count()).toBe(0);
  });

  it.each(offeredLanguages.map((l) => l.code))('%s: html lang and dir follow the choice; service, visit type, code, consent and declined read in it', async (code) => {
    const s = await e2e.stack({ agents: 0, publicConfig: { timers } });
    const k = await kioskPage(s);
    const info = uiLanguage(code);
    await chooseLanguage(k, code);
    expect(await page(k)).toEqual({ lang: info.tag, dir: info.dir, direction: info.dir });

    await expectScreenIn(k, code, 'service', ['kiosk.service.title']);
    // The booth has a font for the script (Chinese needs a CJK font; see scripts/setup.sh and the package's Recommends).
    if (code === 'zh') expect(await glyphsDiffer(k, '服', '务')).toBe(true);
    if (code === 'ar') expect(await glyphsDiffer(k, 'خ', 'د')).toBe(true);
    for (const svc of defaultServices) expect(await k.getByTestId(`service-${svc.id}`).innerText()).toContain(textIn(svc.label, code));
    await k.getByTestId('service-immigration').click();

    await expectScreenIn(k, code, 'visitType', ['kiosk.visitType.title', 'kiosk.visitType.appointment', 'kiosk.visitType.walkIn']);
    await k.getByTestId('visit-appointment').click();
    await expectScreenIn(k, code, 'appointmentCode', ['kiosk.code.title', 'kiosk.code.submit']);
    await k.getByTestId('btn-back').click();

    await screen(k, 'visitType');
    await k.getByTestId('visit-walkin').click();
    const service = textIn(defaultServices.find((x) => x.id === 'immigration')!.label, code);
    await expectScreenIn(k, code, 'consent', ['kiosk.consent.title', 'kiosk.consent.noRecording', 'kiosk.consent.question', 'kiosk.consent.refuse']);
    expect(await k.getByTestId('screen-consent').innerText()).toContain(t(code, 'kiosk.consent.who', { service }));
    await k.getByTestId('consent-refuse').click();
    await expectScreenIn(k, code, 'declined', ['kiosk.declined.title', 'kiosk.declined.body']);
    // Still in the chosen language and direction after four screens.
    expect(await page(k)).toEqual({ lang: info.tag, dir: info.dir, direction: info.dir });
    // The visit ends: the next citizen finds the booth in French, left to right.
    await k.getByTestId('btn-home').click();
    await screen(k, 'attract');
    expect(await page(k)).toEqual({ lang: 'fr-CA', dir: 'ltr', direction: 'ltr' });
  });

  it('Arabic mirrors the layout: the first service sits on the right, the title reads from the right', async () => {
    const s = await e2e.stack({ agents: 0, publicConfig: { timers } });
    const k = await kioskPage(s);
    const layout = () =>
      k.evaluate(() => {
        const box = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect();
        const [a, b] = [box('service-emploi'), box('service-solidarite')];
        const title = document.querySelector('[data-testid="screen-service"] h1, [data-testid="screen-service"] h2')!;
        const range = document.createRange();
        range.selectNodeContents(title);
        const text = range.getBoundingClientRect();
        const frame = title.getBoundingClientRect();
        return {
          sameRow: Math.abs(a.top - b.top) < 2,
          firstIsLeft: a.left < b.left,
          titleDirection: getComputedStyle(title).direction,
          // Where the title's text starts: its distance from the frame's left and right edges.
          textGapLeft: text.left - frame.left,
          textGapRight: frame.right - text.right,
        };
      });
    await chooseLanguage(k, 'fr');
    const fr = await layout();
    expect(fr.sameRow).toBe(true); // the two first services share a row, so the order is visible
    expect(fr.firstIsLeft).toBe(true);
    expect(fr.titleDirection).toBe('ltr');
    expect(await k.evaluate(() => getComputedStyle(document.querySelector('[data-testid="btn-back"] [data-pictogram="back"] svg')!).transform)).toBe('none');
    await k.getByTestId('btn-back').click();
    await screen(k, 'language');
    await k.getByTestId('lang-ar').click();
    await screen(k, 'service');
    const ar = await layout();
    expect(ar.sameRow).toBe(true);
    expect(ar.firstIsLeft).toBe(false);
    expect(ar.titleDirection).toBe('rtl');
    // The back arrow points the way Arabic reads (mirrored), the service pictograms keep their shape.
    const mirrored = (sel: string) => k.evaluate((q) => getComputedStyle(document.querySelector(q)!).transform, sel);
    expect(await mirrored('[data-testid="btn-back"] [data-pictogram="back"] svg')).toBe('matrix(-1, 0, 0, 1, 0, 0)');
    expect(await mirrored('[data-testid="service-emploi"] .icon svg')).toBe('none');
    // A start-aligned title hugs the right edge in Arabic; a centred one is symmetric either way.
    expect(ar.textGapRight).toBeLessThanOrEqual(ar.textGapLeft + 1);
  });

  it.each(['ar', 'zh'] as const)('%s: the waiting line says an interpreter will be asked for; the idle prompt reads in the language', async (code) => {
    // A short idle delay, so the prompt shows on the waiting screen (where it never takes the citizen out
    // of the line). On a slow machine it may also come up earlier: then the citizen answers it and goes on.
    const s = await e2e.stack({ agents: 1, publicConfig: { timers: { ...timers, idleMs: 10_000 } } });
    const k = await kioskPage(s);
    const tap = async (testid: string) => {
      for (let attempt = 0; attempt < 10; attempt++) {
        if (await k.getByTestId('screen-idle').isVisible()) await k.getByTestId('idle-stay').click();
        const ok = await k.getByTestId(testid).click({ timeout: 3_000 }).then(() => true, () => false);
        if (ok) return;
      }
      throw new Error(`could not tap ${testid}`);
    };
    await chooseLanguage(k, code);
    await tap('service-renseignements');
    await screen(k, 'visitType');
    await tap('visit-walkin');
    await screen(k, 'consent');
    await tap('consent-accept');
    await screen(k, 'deviceCheck');
    await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
    await tap('devices-continue');
    await expectScreenIn(k, code, 'waiting', ['kiosk.waiting.title', 'kiosk.waiting.interpreter']);
    expect(await k.getByTestId('waiting-interpreter').innerText()).toBe(t(code, 'kiosk.waiting.interpreter'));
    await expectScreenIn(k, code, 'idle', ['kiosk.idle.title', 'kiosk.idle.stay']);
    await k.getByTestId('idle-stay').click();
    await screen(k, 'waiting');
    expect(await page(k)).toEqual({ lang: uiLanguage(code).tag, dir: uiLanguage(code).dir, direction: uiLanguage(code).dir });
  });

  it('Arabic outside opening hours: the closed screen, the callback form and its confirmation read in Arabic, right to left; the request reaches the hub and the agent sees an interpreter is needed', { timeout: 180_000 }, async () => {
    const s = await e2e.stack({ agents: 1, publicConfig: { schedule: neverOpen, timers } });
    const k = await kioskPage(s, 'closed', { width: 1080, height: 1920 });
    // The closed screen reads in Arabic on request (before any visit): hours table right to left,
    // the toll-free number kept left to right.
    await k.getByTestId('closed-lang-ar').click();
    const closed = await k.getByTestId('screen-closed').innerText();
    for (const key of ['kiosk.closed.title', 'kiosk.closed.body', 'kiosk.closed.schedule', 'kiosk.day.1'] as const) expect(closed).toContain(t('ar', key));
    expect(await k.getByTestId('closed-schedule').getAttribute('dir')).toBe('rtl');
    expect(await k.getByTestId('tollfree').innerText()).toContain(t('ar', 'kiosk.tollFree', { number: '1 877 644-4545' }));
    await k.getByTestId('offer-callback').click();
    await screen(k, 'language');
    await k.getByTestId('lang-ar').click();
    await screen(k, 'service');
    await k.getByTestId('service-emploi').click();
    await expectScreenIn(k, 'ar', 'callback', ['callback.title', 'callback.name.label', 'callback.phone.label', 'callback.submit', 'callback.reason.closed']);
    expect(await page(k)).toEqual({ lang: 'ar', dir: 'rtl', direction: 'rtl' });
    // The example number keeps its digit order inside the right-to-left text (a left-to-right isolate).
    expect(await k.getByTestId('screen-callback').innerText()).toContain('\u2066418 555-0123\u2069');

    const digits = '5145550143';
    await fillCallbackForm(k, { name: 'SAMIRA', phoneDigits: digits, window: 'afternoon' });
    await k.getByTestId('callback-submit').click();
    await k.getByTestId('callback-saved').waitFor({ timeout: 20_000 });
    expect(await k.getByTestId('screen-callback').innerText()).toContain(t('ar', 'callback.saved'));
    const texts = await visibleTexts(k);
    expect(texts.filter((x) => frenchLeftovers('ar').has(x))).toEqual([]);

    // Delivered with the language the citizen read (the agent who calls back brings an interpreter), nothing lost.
    await expect.poll(() => hubCallbacks(s.dataDir).callbacks.length, { timeout: 75_000, interval: 250 }).toBe(1);
    expect(hubCallbacks(s.dataDir).callbacks[0]).toMatchObject({ service: 'emploi', language: 'ar', time_window: 'afternoon', reason: 'closed', phone: `+1${digits}` });
    // The agent who calls back reads, before claiming it, that an Arabic interpreter is needed.
    const agent = await (await e2e.context()).newPage();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const item = agent.locator(`[data-callback-id="${hubCallbacks(s.dataDir).callbacks[0]!.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    expect(await item.locator('.callback-what').innerText()).toBe(`Emploi · ${t('fr', 'callbacks.language.ar')}`);
    expect(t('fr', 'callbacks.language.ar')).toBe('Arabe — interprète requis');
  });
});
