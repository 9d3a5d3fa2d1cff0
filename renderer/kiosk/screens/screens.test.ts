import { describe, expect, it } from 'vitest';
import { KioskPublicConfig, allDaySchedule } from '../../../common/config';
import type { Language } from '../../../common/config';
import { catalogs, t as translate, translator } from '../../../common/i18n';
import type { ScreenName, SessionEvent, SessionView } from '../../../common/session';
import { emptyVisit, sessionMachine } from '../../../common/session';
import type { VNode } from '../dom';
import { byTestId, textOf, walk } from '../dom';
import { pictogram, pictogramNames } from '../pictograms';
import { hangupPrompt, idlePrompt, screens } from './index';
import { todayHours } from './welcome';
import type { ScreenProps } from './types';
import { freshUi } from './types';

const config = KioskPublicConfig.parse({});
const context = (over: Partial<SessionView['context']> = {}): SessionView['context'] => ({
  timers: config.timers,
  schedule: config.schedule,
  serviceIds: config.services.map((s) => s.id),
  idPrefix: 't',
  requestSeq: 1,
  ...emptyVisit(),
  serviceId: 'immigration',
  ...over,
});

/** Sub-states and context worth rendering for each screen. */
const cases: { screen: ScreenName; sub?: string; ctx?: Partial<SessionView['context']> }[] = [
  { screen: 'attract' },
  { screen: 'closed' },
  { screen: 'closed', ctx: { callbackAvailable: true } },
  { screen: 'closed', ctx: { callbackAvailable: false } },
  { screen: 'language' },
  { screen: 'service' },
  { screen: 'visitType' },
  { screen: 'appointmentCode' },
  { screen: 'appointmentCode', ctx: { codeError: true } },
  { screen: 'consent' },
  { screen: 'declined' },
  { screen: 'deviceCheck', sub: 'acquiring' },
  { screen: 'deviceCheck', sub: 'ready' },
  { screen: 'videoUnavailable' },
  { screen: 'videoUnavailable', ctx: { callbackAvailable: true } },
  { screen: 'waiting' },
  { screen: 'waiting', ctx: { position: 3, estimateSeconds: 240, callId: 'c1' } },
  { screen: 'waiting', ctx: { position: 1, estimateSeconds: 20, callId: 'c1' } },
  { screen: 'inCall', sub: 'connecting', ctx: { callId: 'c1', callActive: true } },
  { screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true, agentName: 'Agente', muted: true } },
  { screen: 'inCall', sub: 'reconnecting', ctx: { callId: 'c1', callActive: true } },
  { screen: 'inCall', sub: 'closing', ctx: { callId: 'c1', callActive: true } },
  { screen: 'callFailed', ctx: { failure: 'noAgent' } },
  { screen: 'callFailed', ctx: { failure: 'hubOffline' } },
  { screen: 'callFailed', ctx: { failure: 'noAgent', callbackAvailable: true } },
  { screen: 'callFailed', ctx: { failure: 'dropped', callbackAvailable: false } },
  { screen: 'callback', sub: 'form', ctx: { callbackFrom: 'callFailed', callbackReason: 'no_agent', callbackAvailable: true } },
  { screen: 'callback', sub: 'saved', ctx: { outcome: 'callback' } },
  { screen: 'survey' },
  { screen: 'thanks' },
];

function render(c: (typeof cases)[number], lang: Language, ui = freshUi()) {
  const sent: SessionEvent[] = [];
  let refreshed = 0;
  const view: SessionView = { screen: c.screen, sub: c.sub ?? null, idlePrompt: false, hangupPrompt: false, context: context({ lang, ...c.ctx }) };
  const puts: unknown[] = [];
  const props: ScreenProps = {
    view,
    lang,
    t: translator(lang),
    tIn: (l, k, p) => translate(l, k, p),
    config,
    ui,
    send: (e) => void sent.push(e),
    refresh: () => void refreshed++,
    media: { local: () => null, remote: () => null, meter: () => () => {} },
    now: () => new Date('2026-11-23T15:00:00Z'),
    submitCallback: (record) => {
      puts.push(record);
      return Promise.resolve({ ok: true as const, value: { id: 'x' } });
    },
  };
  const tree = screens[c.screen](props);
  return { tree, sent, ui, refreshes: () => refreshed, props, puts };
}

const click = (tree: VNode, id: string) => {
  const node = byTestId(tree, id);
  if (!node) throw new Error(`no ${id}`);
  node.on.click?.({} as Event);
};

const INTERACTIVE = new Set(['button', 'input', 'textarea', 'select', 'video']);
// French sentences that have a different English translation: none may show on an English screen.
const frenchOnly = Object.entries(catalogs.fr)
  .filter(([k, v]) => k.startsWith('kiosk.') && catalogs.en[k as keyof typeof catalogs.en] !== v && !v.includes('{'))
  .map(([, v]) => v);

describe('kiosk screens', () => {
  it('has a screen for every visible state of the machine', () => {
    const flow = Object.keys(sessionMachine.root.states.visit!.states.flow!.states);
    expect(Object.keys(screens).sort()).toEqual([...flow, 'attract', 'closed'].sort());
  });

  for (const c of cases) {
    for (const lang of ['fr', 'en'] as const) {
      it(`${c.screen}${c.sub ? `.${c.sub}` : ''} (${lang}): test ids, labels, language`, () => {
        const { tree } = render(c, lang);
        expect(tree.attrs['data-testid']).toBe(`screen-${c.screen}`);
        const ids: string[] = [];
        for (const n of walk(tree)) {
          if (INTERACTIVE.has(n.tag)) {
            expect(n.attrs['data-testid'], `${n.tag} without data-testid`).toBeTruthy();
            ids.push(String(n.attrs['data-testid']));
          }
          // Every button says what it does (text or aria-label).
          if (n.tag === 'button') expect(textOf(n).join('').trim() || n.attrs['aria-label']).toBeTruthy();
        }
        expect(new Set(ids).size).toBe(ids.length);
        // Every pictogram resolved to real SVG markup (a missing asset would render blank).
        for (const n of walk(tree)) if (n.svg !== undefined) expect(n.svg).toMatch(/^<svg /);
        const text = textOf(tree).join('\n');
        expect(text).not.toMatch(/\{\w+\}/); // no unfilled placeholder
        // The welcome screens are bilingual on purpose (no language chosen yet).
        if (lang === 'en' && !['attract', 'closed', 'language'].includes(c.screen)) {
          for (const fr of frenchOnly) expect(text.includes(fr), `French text on an English screen: ${fr}`).toBe(false);
        }
      });
    }
  }

  it('has a pictogram for every default service and every face', () => {
    for (const name of [...config.services.map((s) => s.icon), 'face-1', 'face-2', 'face-3', 'face-4', 'face-5']) expect(pictogramNames()).toContain(name);
    expect(pictogram('no-such-icon')).toBe(pictogram('info'));
  });

  it('attract: touch anywhere starts; shows office and today’s hours', () => {
    const { tree, sent } = render({ screen: 'attract' }, 'fr');
    click(tree, 'attract-start');
    expect(sent).toEqual([{ type: 'touch' }]);
    const text = textOf(tree).join(' ');
    expect(text).toContain(config.office.fr);
    expect(text).toContain("Aujourd'hui : 8 h 30 – 12 h et 13 h – 16 h 30");
  });

  it('language and service choices send their events', () => {
    const l = render({ screen: 'language' }, 'fr');
    click(l.tree, 'lang-en');
    click(l.tree, 'btn-back');
    expect(l.sent).toEqual([{ type: 'lang.select', lang: 'en' }, { type: 'visit.back' }]);
    const s = render({ screen: 'service' }, 'en');
    click(s.tree, 'service-solidarite');
    expect(s.sent).toEqual([{ type: 'service.select', serviceId: 'solidarite' }]);
    expect(textOf(s.tree)).toContain('Social solidarity');
  });

  it('keypad builds the code in screen memory and submits it once valid', () => {
    const ui = freshUi();
    let r = render({ screen: 'appointmentCode' }, 'fr', ui);
    expect(byTestId(r.tree, 'code-submit')!.attrs.disabled).toBe(true);
    for (const k of ['1', '2', '3']) click(r.tree, `key-${k}`);
    click(r.tree, 'key-mode');
    r = render({ screen: 'appointmentCode' }, 'fr', ui);
    click(r.tree, 'key-Z');
    click(r.tree, 'key-Q');
    click(r.tree, 'key-erase');
    r = render({ screen: 'appointmentCode' }, 'fr', ui);
    expect(ui.code).toBe('123Z');
    expect(textOf(byTestId(r.tree, 'code-display')!)).toEqual(['123Z']);
    expect(byTestId(r.tree, 'code-submit')!.attrs.disabled).toBe(false);
    click(r.tree, 'code-submit');
    expect(r.sent).toEqual([{ type: 'code.submit', code: '123Z' }]);
  });

  it('consent names the service and the retention, and offers accept / refuse', () => {
    const { tree, sent } = render({ screen: 'consent' }, 'fr');
    const text = textOf(tree).join(' ');
    expect(text).toContain('« Immigration »');
    expect(text).toContain('90 jours');
    expect(text).toContain("Rien n'est enregistré");
    click(tree, 'consent-refuse');
    click(tree, 'consent-accept');
    expect(sent).toEqual([{ type: 'consent.refuse' }, { type: 'consent.accept' }]);
  });

  it('device check waits for the camera before Continuer', () => {
    expect(byTestId(render({ screen: 'deviceCheck', sub: 'acquiring' }, 'fr').tree, 'devices-continue')!.attrs.disabled).toBe(true);
    const r = render({ screen: 'deviceCheck', sub: 'ready' }, 'fr');
    expect(byTestId(r.tree, 'self-video')).toBeDefined();
    expect(byTestId(r.tree, 'mic-meter')!.attrs.role).toBe('meter');
    click(r.tree, 'devices-continue');
    expect(r.sent).toEqual([{ type: 'devices.continue' }]);
  });

  it('waiting shows position and estimate; Annuler leaves', () => {
    const r = render({ screen: 'waiting', ctx: { position: 3, estimateSeconds: 240, callId: 'c1' } }, 'fr');
    expect(textOf(byTestId(r.tree, 'queue-position')!)).toEqual(['Place dans la file : 3']);
    expect(textOf(byTestId(r.tree, 'queue-estimate')!)).toEqual(['Attente estimée : environ 4 min']);
    click(r.tree, 'btn-cancel');
    expect(r.sent).toEqual([{ type: 'visit.cancel' }]);
  });

  it('in call: remote and self video kept across rebuilds, mute toggles, end hangs up', () => {
    const r = render({ screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true, agentName: 'Agente', muted: false } }, 'fr');
    for (const id of ['remote-video', 'self-video']) expect(byTestId(r.tree, id)).toMatchObject({ tag: 'video', keep: true });
    expect(byTestId(r.tree, 'call-state')!.attrs['data-call-state']).toBe('connected');
    expect(byTestId(r.tree, 'call-volume')!.attrs.type).toBe('range');
    click(r.tree, 'call-mute');
    click(r.tree, 'call-end');
    expect(r.sent).toEqual([{ type: 'call.mute', muted: true }, { type: 'call.hangup' }]);
  });

  it('call failed says why in plain words and offers Réessayer and the phone', () => {
    const r = render({ screen: 'callFailed', ctx: { failure: 'noAgent' } }, 'fr');
    expect(textOf(r.tree)).toContain("Aucun agent n'est disponible pour le moment.");
    expect(textOf(byTestId(r.tree, 'tollfree')!).join('')).toContain(config.tollFree);
    click(r.tree, 'btn-retry');
    click(r.tree, 'btn-home');
    expect(r.sent).toEqual([{ type: 'call.retry' }, { type: 'visit.done' }]);
  });

  it('call failed / video unavailable / closed offer a callback only when the outbox can take it', () => {
    for (const c of [
      { screen: 'callFailed', ctx: { failure: 'noAgent' } },
      { screen: 'videoUnavailable', ctx: {} },
      { screen: 'closed', ctx: {} },
    ] as const) {
      const pending = render({ screen: c.screen, ctx: { ...c.ctx, callbackAvailable: null } }, 'fr');
      expect(byTestId(pending.tree, 'offer-callback')).toBeUndefined();
      expect(byTestId(pending.tree, 'callback-unavailable')).toBeUndefined();
      const full = render({ screen: c.screen, ctx: { ...c.ctx, callbackAvailable: false } }, 'fr');
      expect(byTestId(full.tree, 'offer-callback')).toBeUndefined();
      expect(textOf(byTestId(full.tree, 'callback-unavailable')!).join(' ')).toContain('Nous ne pouvons pas prendre de demande de rappel');
      const open = render({ screen: c.screen, ctx: { ...c.ctx, callbackAvailable: true } }, 'fr');
      expect(textOf(byTestId(open.tree, 'offer-callback')!)).toContain('Laissez vos coordonnées, un agent vous rappellera');
      click(open.tree, 'offer-callback');
      expect(open.sent).toEqual([{ type: 'callback.offer' }]);
    }
  });

  it('callback: the form mounts through a ref; "Votre demande est enregistrée" only in the saved state', () => {
    const form = render({ screen: 'callback', sub: 'form', ctx: { callbackFrom: 'callFailed', callbackReason: 'no_agent' } }, 'fr');
    expect(byTestId(form.tree, 'callback-form')!.ref).toBeTypeOf('function');
    expect(textOf(form.tree).join(' ')).not.toContain('Votre demande est enregistrée');
    const saved = render({ screen: 'callback', sub: 'saved' }, 'fr');
    expect(textOf(saved.tree)).toContain('Votre demande est enregistrée');
    click(saved.tree, 'callback-finish');
    expect(saved.sent).toEqual([{ type: 'visit.done' }]);
  });

  it('hangup prompt: Oui ends the call, Non keeps it', () => {
    const base = render({ screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true } }, 'fr');
    const tree = hangupPrompt(base.props);
    expect(tree.attrs['data-testid']).toBe('screen-hangup');
    expect(textOf(tree)).toContain("Terminer l'appel ?");
    click(tree, 'hangup-confirm');
    click(tree, 'hangup-cancel');
    expect(base.sent).toEqual([{ type: 'call.hangup' }, { type: 'hangup.cancel' }]);
  });

  it('survey: a face is required to send; the on-screen keyboard types the comment; Passer skips', () => {
    const ui = freshUi();
    let r = render({ screen: 'survey' }, 'fr', ui);
    expect(byTestId(r.tree, 'survey-submit')!.attrs.disabled).toBe(true);
    click(r.tree, 'survey-rating-5');
    for (const k of ['kbd-T', 'kbd-O', 'kbd-P', 'kbd-space']) click(r.tree, k);
    r = render({ screen: 'survey' }, 'fr', ui);
    expect(byTestId(r.tree, 'survey-rating-5')!.attrs['aria-pressed']).toBe('true');
    click(r.tree, 'survey-submit');
    click(r.tree, 'survey-skip');
    expect(r.sent).toEqual([{ type: 'survey.submit', rating: 5, comment: 'top' }, { type: 'survey.skip' }]);
  });

  it('idle prompt: countdown from the configured time, stay or leave', () => {
    const base = render({ screen: 'service' }, 'fr');
    base.props.ui.idleShownAt = 1_000;
    const tree = idlePrompt(base.props, () => 5_500);
    expect(tree.attrs['data-testid']).toBe('screen-idle');
    expect(textOf(byTestId(tree, 'idle-countdown')!)).toEqual(["Retour à l'accueil dans 11 s"]);
    click(tree, 'idle-stay');
    click(tree, 'idle-leave');
    expect(base.sent).toEqual([{ type: 'idle.stillHere' }, { type: 'visit.cancel' }]);
  });
});

describe('opening hours on the attract screen', () => {
  const hoursWith = (schedule: KioskPublicConfig['schedule'], lang: Language) =>
    todayHours({ lang, tIn: ((l, k, p) => translate(l, k, p)) satisfies ScreenProps['tIn'], now: () => new Date('2026-11-29T23:30:00Z'), config: KioskPublicConfig.parse({ schedule }) } as unknown as ScreenProps, lang);
  it('says "open all day" for a 00:00–24:00 day, and "closed today" on the default Sunday', () => {
    expect(hoursWith(allDaySchedule, 'fr')).toBe("Ouvert 24 h sur 24 aujourd'hui");
    expect(hoursWith(allDaySchedule, 'en')).toBe('Open all day today');
    expect(hoursWith(config.schedule, 'fr')).toBe("Fermé aujourd'hui");
  });
});
