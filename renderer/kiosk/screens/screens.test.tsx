// @vitest-environment happy-dom
// Every kiosk screen rendered by Preact into a real (happy-dom) DOM from a machine view, in French and
// English: test ids, labels, pictograms, language; then what each control sends to the machine.
import { signal } from '@preact/signals';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskPublicConfig, allDaySchedule } from '../../../common/config';
import { catalogs, offeredLanguages, t as translate, translator } from '../../../common/i18n';
import { formatTime } from '../../../common/hours';
import { referenceOf } from '../../../common/reference';
import type { ScreenName, SessionEvent, SessionView } from '../../../common/session';
import { emptyVisit, sessionMachine } from '../../../common/session';
import { pictogram, pictogramNames } from '../pictograms';
import { KioskContext, type ScreenProps } from '../ui/context';
import { HangupPrompt, IdlePrompt, screens } from './index';
import { todayHours } from './text';

const config = KioskPublicConfig.parse({});
type Ctx = SessionView['context'];
const context = (over: Partial<Ctx> = {}): Ctx => ({
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
const cases: { screen: ScreenName; sub?: string; ctx?: Partial<Ctx> }[] = [
  { screen: 'attract' },
  { screen: 'closed' },
  { screen: 'closed', ctx: { callbackAvailable: true } },
  { screen: 'closed', ctx: { callbackAvailable: false } },
  { screen: 'language' },
  { screen: 'service' },
  { screen: 'visitType' },
  { screen: 'appointmentCode' },
  { screen: 'appointmentCode', ctx: { codeError: true } },
  { screen: 'appointmentCode', ctx: { scannedCode: 'AB12' } },
  { screen: 'consent' },
  { screen: 'declined' },
  { screen: 'deviceCheck', sub: 'acquiring' },
  { screen: 'deviceCheck', sub: 'ready' },
  { screen: 'videoUnavailable' },
  { screen: 'videoUnavailable', ctx: { callbackAvailable: true } },
  { screen: 'waiting' },
  { screen: 'waiting', ctx: { position: 3, estimateSeconds: 240, callId: 'c1' } },
  { screen: 'waiting', ctx: { position: 1, estimateSeconds: 20, callId: 'c1' } },
  { screen: 'waiting', ctx: { position: 2, estimateSeconds: null, callId: 'c1', noAgent: true } },
  { screen: 'inCall', sub: 'connecting', ctx: { callId: 'c1', callActive: true } },
  { screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true, agentName: 'Agente', muted: true } },
  { screen: 'inCall', sub: 'reconnecting', ctx: { callId: 'c1', callActive: true } },
  { screen: 'inCall', sub: 'closing', ctx: { callId: 'c1', callActive: true } },
  { screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true, audioOnly: true } },
  { screen: 'callFailed', ctx: { failure: 'noAgent' } },
  { screen: 'callFailed', ctx: { failure: 'hubOffline' } },
  { screen: 'callFailed', ctx: { failure: 'noAgent', callbackAvailable: true } },
  { screen: 'callFailed', ctx: { failure: 'dropped', callbackAvailable: false } },
  { screen: 'callback', sub: 'form', ctx: { callbackFrom: 'callFailed', callbackReason: 'no_agent', callbackAvailable: true } },
  { screen: 'callback', sub: 'saved', ctx: { outcome: 'callback' } },
  { screen: 'survey' },
  { screen: 'thanks' },
];

let root: HTMLElement | null = null;
afterEach(() => {
  if (root) render(null, root);
  root?.remove();
  root = null;
});

interface Rendered {
  root: HTMLElement;
  sent: SessionEvent[];
  props: ScreenProps;
  puts: unknown[];
  /** Re-renders the same screen with another view (a machine change). */
  rerender(over: { sub?: string; ctx?: Partial<Ctx> }): void;
}

function props(c: (typeof cases)[number], lang: Ctx['lang'], sent: SessionEvent[], puts: unknown[], clock = () => 0): ScreenProps {
  const ctx = context({ lang, ...c.ctx });
  const view = {
    screen: c.screen,
    sub: c.sub ?? null,
    idlePrompt: false,
    hangupPrompt: false,
    // As toView derives them.
    idleKeepsPlace: false,
    noAgent: c.screen === 'waiting' && ctx.noAgent,
    offerAudioCall: c.screen === 'videoUnavailable' && !ctx.audioOnly,
    context: ctx,
  } as SessionView;
  return {
    view,
    lang,
    t: translator(lang),
    tIn: (l, k, p) => translate(l, k, p),
    config,
    send: (e) => void sent.push(e),
    media: { local: () => null, remote: () => null, meter: () => () => {} },
    now: () => new Date('2026-11-23T15:00:00Z'),
    monotonic: clock,
    submitCallback: (record) => {
      puts.push(record);
      return Promise.resolve({ ok: true as const, value: { id: 'rec-1' } });
    },
    visit: { volume: signal(0.8), reference: signal(null) },
  };
}

function show(c: (typeof cases)[number], lang: Ctx['lang'] = 'fr', Component = screens[c.screen], clock?: () => number): Rendered {
  const sent: SessionEvent[] = [];
  const puts: unknown[] = [];
  const p = props(c, lang, sent, puts, clock);
  root = document.createElement('div');
  document.body.appendChild(root);
  const el = root;
  const draw = (pp: ScreenProps) =>
    act(() =>
      render(
        <KioskContext.Provider value={pp}>
          <Component {...pp} />
        </KioskContext.Provider>,
        el,
      ),
    );
  draw(p);
  return {
    root: el,
    sent,
    props: p,
    puts,
    rerender: (over) => {
      const next = { ...p, view: { ...p.view, sub: over.sub ?? p.view.sub, context: { ...p.view.context, ...over.ctx } } };
      draw(next);
    },
  };
}

const byId = (r: { root: HTMLElement }, id: string) => r.root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const click = (r: { root: HTMLElement }, id: string) => {
  const el = byId(r, id);
  if (!el) throw new Error(`no ${id}`);
  act(() => el.click());
};
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\u00a0/g, ' ');

const INTERACTIVE = 'button, input, textarea, select, video, [role="textbox"]';
// French sentences that have a different English translation: none may show on an English screen.
const frenchOnly = Object.entries(catalogs.fr)
  .filter(([k, v]) => k.startsWith('kiosk.') && catalogs.en[k as keyof typeof catalogs.en] !== v && !v.includes('{'))
  .map(([, v]) => v);

describe('kiosk screens (Preact)', () => {
  it('has a screen for every visible state of the machine', () => {
    const flow = Object.keys(sessionMachine.root.states.visit!.states.flow!.states);
    expect(Object.keys(screens).sort()).toEqual([...flow, 'attract', 'closed'].sort());
  });

  for (const c of cases) {
    for (const lang of ['fr', 'en'] as const) {
      it(`${c.screen}${c.sub ? `.${c.sub}` : ''}${c.ctx ? ` ${JSON.stringify(c.ctx)}` : ''} (${lang}): test ids, labels, pictograms, language`, () => {
        const r = show(c, lang);
        const section = r.root.firstElementChild!;
        expect(section.getAttribute('data-testid')).toBe(`screen-${c.screen}`);
        const ids: string[] = [];
        for (const el of r.root.querySelectorAll(INTERACTIVE)) {
          const id = el.getAttribute('data-testid');
          expect(id, `${el.tagName} without data-testid`).toBeTruthy();
          ids.push(id!);
          // Every control says what it is (text, aria-label or a label element).
          const name = el.textContent!.trim() || el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') && r.root.querySelector(`#${el.getAttribute('aria-labelledby')!.split(' ')[0]}`)?.textContent);
          if (el.tagName !== 'VIDEO' && el.getAttribute('role') !== 'textbox') expect(name, `${id} has no name`).toBeTruthy();
          if (el.getAttribute('role') === 'textbox') expect(r.root.querySelector(`#${el.getAttribute('aria-labelledby')}`)?.textContent).toBeTruthy();
        }
        expect(new Set(ids).size).toBe(ids.length);
        // Pictograms on every screen, each resolved to real SVG markup (a missing asset would render blank).
        const pictos = r.root.querySelectorAll('[data-pictogram]');
        expect(pictos.length, 'a screen without a pictogram').toBeGreaterThan(0);
        for (const p of pictos) expect(p.innerHTML).toMatch(/^<svg /);
        const all = text(r.root);
        expect(all).not.toMatch(/\{\w+\}/); // no unfilled placeholder
        // The welcome screens are bilingual on purpose (no language chosen yet).
        if (lang === 'en' && !['attract', 'closed', 'language'].includes(c.screen)) {
          for (const fr of frenchOnly) expect(all.includes(fr), `French text on an English screen: ${fr}`).toBe(false);
        }
      });
    }
  }

  it('has a pictogram for every default service and every face', () => {
    for (const name of [...config.services.map((s) => s.icon), 'face-1', 'face-2', 'face-3', 'face-4', 'face-5', 'alert', 'camera-off', 'scan', 'qr']) expect(pictogramNames()).toContain(name);
    expect(pictogram('no-such-icon')).toBe(pictogram('info'));
  });

  it('attract: touch anywhere starts; shows office and today’s hours', () => {
    const r = show({ screen: 'attract' });
    click(r, 'attract-start');
    expect(r.sent).toEqual([{ type: 'touch' }]);
    expect(text(r.root)).toContain(config.office.fr);
    expect(text(r.root)).toContain("Aujourd'hui : 8 h 30 – 12 h et 13 h – 16 h 30");
  });

  it('language and service choices send their events; language buttons carry no globe', () => {
    const l = show({ screen: 'language' });
    expect(byId(l, 'lang-en')!.querySelector('[data-pictogram]')).toBeNull();
    click(l, 'lang-en');
    click(l, 'btn-back');
    expect(l.sent).toEqual([{ type: 'lang.select', lang: 'en' }, { type: 'visit.back' }]);
    render(null, l.root);
    const s = show({ screen: 'service' }, 'en');
    click(s, 'service-solidarite');
    expect(s.sent).toEqual([{ type: 'service.select', serviceId: 'solidarite' }]);
    expect(text(s.root)).toContain('Social solidarity');
  });

  it('appointment code: one keyboard with digits and letters, kept in the screen, submitted once valid', () => {
    const r = show({ screen: 'appointmentCode' });
    expect((byId(r, 'code-submit') as HTMLButtonElement).disabled).toBe(true);
    for (const k of ['1', '2', '3', 'Z', 'Q']) click(r, `key-${k}`);
    click(r, 'key-erase');
    expect(text(byId(r, 'code-display'))).toBe('123Z');
    // The code field is a labelled text box for screen readers.
    expect(byId(r, 'code-display')!.getAttribute('role')).toBe('textbox');
    expect((byId(r, 'code-submit') as HTMLButtonElement).disabled).toBe(false);
    // A machine change (e.g. the idle prompt closing) does not lose the draft.
    r.rerender({ ctx: { codeError: false } });
    expect(text(byId(r, 'code-display'))).toBe('123Z');
    click(r, 'code-submit');
    expect(r.sent).toEqual([{ type: 'code.submit', code: '123Z' }]);
  });

  it('appointment code: a scanned code is announced (live region) and fills the field; a new scan replaces it', () => {
    const r = show({ screen: 'appointmentCode' });
    const note = byId(r, 'code-scanned')!;
    expect(note.getAttribute('aria-live')).toBe('polite');
    expect(text(note)).toContain(translate('fr', 'kiosk.code.scanHint'));
    r.rerender({ ctx: { scannedCode: 'RDV1', codeError: true } });
    expect(text(byId(r, 'code-scanned'))).toContain(translate('fr', 'kiosk.code.scanned', { code: 'RDV1' }));
    expect(text(byId(r, 'code-display'))).toBe('RDV1');
    r.rerender({ ctx: { scannedCode: 'RDV22' } });
    expect(text(byId(r, 'code-display'))).toBe('RDV22');
  });

  it('language screen: every offered language in its own name, no pictogram, page language per button', () => {
    const r = show({ screen: 'language' });
    const buttons = [...r.root.querySelectorAll<HTMLElement>('[data-testid^="lang-"]')];
    expect(buttons.map((b) => b.dataset.testid)).toEqual(offeredLanguages.map((l) => `lang-${l.code}`));
    expect(buttons.map((b) => text(b))).toEqual(offeredLanguages.map((l) => l.nativeName));
    expect(buttons.map((b) => b.getAttribute('lang'))).toEqual(offeredLanguages.map((l) => l.tag));
    for (const b of buttons) expect(b.querySelector('[data-pictogram]')).toBeNull();
  });

  it('waiting: no agent serving the line says so instead of a number; another language is told about the interpreter', () => {
    const r = show({ screen: 'waiting', ctx: { position: 2, estimateSeconds: null, callId: 'c1', noAgent: true } });
    expect(byId(r, 'queue-estimate')!.dataset.noAgent).toBe('true');
    expect(text(byId(r, 'queue-estimate'))).toBe(translate('fr', 'kiosk.waiting.noAgent'));
    expect(byId(r, 'waiting-interpreter')).toBeNull();
    render(null, r.root);
    const es = show({ screen: 'waiting', ctx: { position: 2, estimateSeconds: 30, callId: 'c1' } }, 'es');
    expect(text(byId(es, 'waiting-interpreter'))).toBe(translate('es', 'kiosk.waiting.interpreter'));
  });

  it('audio only: consent offers the microphone alone; a failed camera offers an audio call; no self view in an audio call', () => {
    const c = show({ screen: 'consent' });
    click(c, 'consent-audio-only');
    expect(c.sent).toEqual([{ type: 'consent.accept', audioOnly: true }]);
    render(null, c.root);
    const v = show({ screen: 'videoUnavailable' });
    click(v, 'video-audio-call');
    expect(v.sent).toEqual([{ type: 'call.audioOnly' }]);
    render(null, v.root);
    const call = show({ screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true, audioOnly: true } });
    expect(byId(call, 'self-video')).toBeNull();
    expect(text(byId(call, 'audio-only'))).toBe(translate('fr', 'kiosk.call.audioOnly'));
  });

  it('consent names the service and the retention, and offers accept / refuse', () => {
    const r = show({ screen: 'consent' });
    const all = text(r.root);
    expect(all).toContain('« Immigration »');
    expect(all).toContain('90 jours');
    expect(all).toContain("Rien n'est enregistré");
    click(r, 'consent-refuse');
    click(r, 'consent-accept');
    expect(r.sent).toEqual([{ type: 'consent.refuse' }, { type: 'consent.accept' }]);
  });

  it('device check waits for the camera before Continuer; the meter follows the stream', () => {
    const a = show({ screen: 'deviceCheck', sub: 'acquiring' });
    expect((byId(a, 'devices-continue') as HTMLButtonElement).disabled).toBe(true);
    render(null, a.root);
    const r = show({ screen: 'deviceCheck', sub: 'ready' });
    expect(byId(r, 'self-video')!.tagName).toBe('VIDEO');
    expect(byId(r, 'mic-meter')!.getAttribute('role')).toBe('meter');
    click(r, 'devices-continue');
    expect(r.sent).toEqual([{ type: 'devices.continue' }]);
  });

  it('waiting shows position and estimate; Annuler leaves', () => {
    const r = show({ screen: 'waiting', ctx: { position: 3, estimateSeconds: 240, callId: 'c1' } });
    expect(text(byId(r, 'queue-position'))).toBe('Place dans la file : 3');
    expect(text(byId(r, 'queue-estimate'))).toMatch(/^Attente estimée : environ 4\s?min$/);
    click(r, 'btn-cancel');
    expect(r.sent).toEqual([{ type: 'visit.cancel' }]);
  });

  it('in call: the same <video> elements survive a sub-state change; mute toggles, volume, end hangs up', () => {
    const r = show({ screen: 'inCall', sub: 'connecting', ctx: { callId: 'c1', callActive: true, muted: false } });
    const remote = byId(r, 'remote-video');
    const self = byId(r, 'self-video');
    r.rerender({ sub: 'connected', ctx: { agentName: 'Agente' } });
    expect(byId(r, 'remote-video')).toBe(remote);
    expect(byId(r, 'self-video')).toBe(self);
    expect(byId(r, 'call-state')!.getAttribute('data-call-state')).toBe('connected');
    expect(text(byId(r, 'call-state'))).toBe('En communication avec Agente');
    const range = byId(r, 'call-volume') as HTMLInputElement;
    expect(range.type).toBe('range');
    act(() => {
      range.value = '40';
      range.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(r.props.visit.volume.value).toBeCloseTo(0.4);
    expect((byId(r, 'remote-video') as HTMLVideoElement).volume).toBeCloseTo(0.4);
    click(r, 'call-mute');
    click(r, 'call-end');
    expect(r.sent).toEqual([{ type: 'call.mute', muted: true }, { type: 'call.hangup' }]);
  });

  it('call failed says why in plain words, with a pictogram, and offers Réessayer and the phone', () => {
    const r = show({ screen: 'callFailed', ctx: { failure: 'noAgent' } });
    expect(text(r.root)).toContain("Aucun agent n'est disponible pour le moment.");
    expect(r.root.querySelector('.screen-icon')?.getAttribute('data-pictogram')).toBe('alert');
    expect(text(byId(r, 'tollfree'))).toContain(config.tollFree);
    click(r, 'btn-retry');
    click(r, 'btn-home');
    expect(r.sent).toEqual([{ type: 'call.retry' }, { type: 'visit.done' }]);
  });

  it('video unavailable: no camera at all, or a camera that stopped, in plain words (no technician words)', () => {
    for (const [missing, key] of [
      [true, 'kiosk.video.missing'],
      [false, 'kiosk.video.lost'],
      [undefined, 'kiosk.video.lost'],
    ] as const) {
      const sent: SessionEvent[] = [];
      const p = props({ screen: 'videoUnavailable' }, 'fr', sent, []);
      if (missing !== undefined) p.media = { ...p.media, cameraMissing: () => missing };
      root = document.createElement('div');
      act(() => render(<screens.videoUnavailable {...p} />, root!));
      expect(text(root.querySelector('[data-testid="video-recover-hint"]'))).toBe(translate('fr', key));
      expect(text(root)).toContain(config.tollFree);
      expect(text(root)).not.toMatch(/rebranch|déconnect|branchée/);
      render(null, root);
    }
  });

  it('call failed / video unavailable / closed offer a callback only when the outbox can take it', () => {
    for (const c of [
      { screen: 'callFailed', ctx: { failure: 'noAgent' } },
      { screen: 'videoUnavailable', ctx: {} },
      { screen: 'closed', ctx: {} },
    ] as const) {
      const pending = show({ screen: c.screen, ctx: { ...c.ctx, callbackAvailable: null } });
      expect(byId(pending, 'offer-callback')).toBeNull();
      expect(byId(pending, 'callback-unavailable')).toBeNull();
      render(null, pending.root);
      const full = show({ screen: c.screen, ctx: { ...c.ctx, callbackAvailable: false } });
      expect(byId(full, 'offer-callback')).toBeNull();
      expect(text(byId(full, 'callback-unavailable'))).toContain('Nous ne pouvons pas prendre de demande de rappel');
      render(null, full.root);
      const open = show({ screen: c.screen, ctx: { ...c.ctx, callbackAvailable: true } });
      expect(text(byId(open, 'offer-callback'))).toContain('Laissez vos coordonnées, un agent vous rappellera');
      click(open, 'offer-callback');
      expect(open.sent).toEqual([{ type: 'callback.offer' }]);
      render(null, open.root);
    }
  });

  it('closed: next opening time, and the whole screen in English at a touch', () => {
    // Monday 2026-11-23 at 18:00 in Montréal: next opening Tuesday morning.
    const sent: SessionEvent[] = [];
    const p = { ...props({ screen: 'closed' }, 'fr', sent, []), now: () => new Date('2026-11-23T23:00:00Z') };
    root = document.createElement('div');
    act(() => render(<screens.closed {...p} />, root!));
    const r = { root };
    expect(text(byId(r, 'closed-next'))).toBe('Prochaine ouverture : demain à 8 h 30');
    expect(text(byId(r, 'closed-schedule'))).toContain('Lundi');
    click(r, 'closed-lang-en');
    expect(text(byId(r, 'closed-next'))).toBe('Next opening: tomorrow at 8:30 AM');
    expect(text(byId(r, 'closed-schedule'))).toContain('Monday');
    expect(root.querySelector('h1')!.textContent).toBe(translate('en', 'kiosk.closed.title'));
    expect(byId(r, 'closed-lang-en')!.getAttribute('aria-pressed')).toBe('true');
    // Every offered language, Arabic right to left.
    click(r, 'closed-lang-ar');
    expect(text(byId(r, 'closed-next'))).toBe(translate('ar', 'kiosk.closed.nextTomorrow', { time: formatTime('08:30', 'ar') }));
    expect(byId(r, 'closed-schedule')!.getAttribute('dir')).toBe('rtl');
  });

  it('callback: the form is a component of the screen; "Votre demande est enregistrée" only in the saved state, with the reference', async () => {
    const form = show({ screen: 'callback', sub: 'form', ctx: { callbackFrom: 'callFailed', callbackReason: 'no_agent' } });
    expect(byId(form, 'callback-form')).not.toBeNull();
    expect(byId(form, 'callback-name')).not.toBeNull();
    expect(text(form.root)).not.toContain('Votre demande est enregistrée');
    // Fill and send: the outbox id becomes the reference the citizen takes away.
    click(form, 'callback-name');
    for (const k of ['A', 'N', 'N', 'E']) click(form, `callback-key-${k}`);
    click(form, 'callback-phone');
    for (const d of '5145550199') click(form, `callback-key-${d}`);
    click(form, 'callback-window-any');
    await act(async () => byId(form, 'callback-submit')!.click());
    expect(form.puts).toEqual([{ name: 'Anne', phone: '+15145550199', timeWindow: 'any', service: 'immigration', language: 'fr', reason: 'no_agent' }]);
    expect(form.sent).toEqual([{ type: 'callback.saved' }]);
    expect(form.props.visit.reference.value).toBe(referenceOf('rec-1'));
    render(null, form.root);

    const saved = show({ screen: 'callback', sub: 'saved' });
    act(() => void (saved.props.visit.reference.value = referenceOf('rec-1')));
    expect(text(saved.root)).toContain('Votre demande est enregistrée');
    expect(text(byId(saved, 'reference-number'))).toBe(referenceOf('rec-1'));
    click(saved, 'callback-finish');
    expect(saved.sent).toEqual([{ type: 'visit.done' }]);
  });

  it('thanks: complaint page and service page as local QR codes; the reference once a call gave one', () => {
    const r = show({ screen: 'thanks' });
    expect(byId(r, 'reference-number')).toBeNull();
    const complaint = byId(r, 'qr-complaint')!;
    expect(complaint.getAttribute('data-value')).toBe(`https://${config.complaintUrl}`);
    expect(complaint.querySelector('svg')).not.toBeNull();
    expect(text(complaint)).toContain(config.complaintUrl);
    expect(byId(r, 'qr-service')!.getAttribute('data-value')).toBe(`https://${config.serviceUrl}`);
    act(() => void (r.props.visit.reference.value = referenceOf('call-1')));
    expect(text(byId(r, 'reference-number'))).toBe(referenceOf('call-1'));
  });

  it('hangup prompt: Oui ends the call, Non keeps it', () => {
    const r = show({ screen: 'inCall', sub: 'connected', ctx: { callId: 'c1', callActive: true } }, 'fr', HangupPrompt);
    expect(r.root.firstElementChild!.getAttribute('data-testid')).toBe('screen-hangup');
    expect(text(r.root)).toContain("Terminer l'appel ?");
    click(r, 'hangup-confirm');
    click(r, 'hangup-cancel');
    expect(r.sent).toEqual([{ type: 'call.hangup' }, { type: 'hangup.cancel' }]);
  });

  it('survey: a face is required to send; the on-screen keyboard types the comment; Passer skips', () => {
    const r = show({ screen: 'survey' });
    expect((byId(r, 'survey-submit') as HTMLButtonElement).disabled).toBe(true);
    click(r, 'survey-rating-5');
    // French: AZERTY with the accents row.
    expect([...r.root.querySelectorAll('.kbd-row')][0]!.textContent!.startsWith('AZERTY')).toBe(true);
    for (const k of ['kbd-T', 'kbd-O', 'kbd-P', 'kbd-space']) click(r, k);
    expect(text(byId(r, 'survey-comment'))).toBe('top ');
    expect(byId(r, 'survey-rating-5')!.getAttribute('aria-pressed')).toBe('true');
    click(r, 'survey-submit');
    click(r, 'survey-skip');
    expect(r.sent).toEqual([{ type: 'survey.submit', rating: 5, comment: 'top' }, { type: 'survey.skip' }]);
  });

  it('idle prompt over the waiting line: no countdown, the place is kept', () => {
    const sent: SessionEvent[] = [];
    const p = props({ screen: 'waiting', ctx: { callId: 'c1', position: 2 } }, 'fr', sent, []);
    p.view = { ...p.view, idlePrompt: true, idleKeepsPlace: true };
    root = document.createElement('div');
    act(() => render(<IdlePrompt {...p} />, root!));
    const r = { root };
    expect(byId(r, 'idle-countdown')).toBeNull();
    expect(text(byId(r, 'idle-keeps-place'))).toBe(translate('fr', 'kiosk.idle.keepsPlace'));
    click(r, 'idle-stay');
    expect(sent).toEqual([{ type: 'idle.stillHere' }]);
  });

  it('idle prompt: countdown from the configured time, stay or leave', () => {
    let now = 1_000;
    const r = show({ screen: 'service' }, 'fr', IdlePrompt, () => now);
    expect(r.root.firstElementChild!.getAttribute('data-testid')).toBe('screen-idle');
    expect(text(byId(r, 'idle-countdown'))).toBe("Retour à l'accueil dans 15 s");
    now = 5_500;
    r.rerender({});
    expect(text(byId(r, 'idle-countdown'))).toBe("Retour à l'accueil dans 11 s");
    click(r, 'idle-stay');
    click(r, 'idle-leave');
    expect(r.sent).toEqual([{ type: 'idle.stillHere' }, { type: 'visit.cancel' }]);
  });
});

describe('opening hours on the attract screen', () => {
  const hoursWith = (schedule: KioskPublicConfig['schedule'], lang: 'fr' | 'en') =>
    todayHours({ tIn: (l, k, p) => translate(l, k, p), now: () => new Date('2026-11-29T23:30:00Z'), config: KioskPublicConfig.parse({ schedule }) }, lang);
  it('says "open all day" for a 00:00–24:00 day, and "closed today" on the default Sunday', () => {
    expect(hoursWith(allDaySchedule, 'fr')).toBe("Ouvert 24 h sur 24 aujourd'hui");
    expect(hoursWith(allDaySchedule, 'en')).toBe('Open all day today');
    expect(hoursWith(config.schedule, 'fr')).toBe("Fermé aujourd'hui");
  });
});

describe('one on-screen keyboard', () => {
  const layout = (lang: 'fr' | 'en' | 'es' | 'ar' | 'zh') => {
    const r = show({ screen: 'survey' }, lang);
    const rows = [...r.root.querySelectorAll('.kbd-row')].map((row) => row.textContent);
    render(null, r.root);
    return rows;
  };
  it('AZERTY in French, QWERTY otherwise, with an accents row (Spanish: ñ and its accents)', () => {
    expect(layout('fr')[0]).toBe('AZERTYUIOP');
    expect(layout('en')[0]).toBe('QWERTYUIOP');
    expect(layout('fr')[3]).toContain('ÉÈ');
    expect(layout('es')[3]).toContain('Ñ');
    for (const l of ['ar', 'zh'] as const) expect(layout(l)[0]).toBe('QWERTYUIOP');
  });
  it('the callback phone field gets the phone keypad; the code screen digits and letters at once', () => {
    const cb = show({ screen: 'callback', sub: 'form', ctx: { callbackReason: 'no_agent' } });
    click(cb, 'callback-phone');
    expect(cb.root.querySelector('[data-keyboard]')!.getAttribute('data-keyboard')).toBe('phone');
    expect(byId(cb, 'callback-key-A')).toBeNull();
    click(cb, 'callback-name');
    expect(cb.root.querySelector('[data-keyboard]')!.getAttribute('data-keyboard')).toBe('text');
    // The fields expose their value and label to screen readers.
    const name = byId(cb, 'callback-name')!;
    expect(name.getAttribute('role')).toBe('textbox');
    expect(cb.root.querySelector(`#${name.getAttribute('aria-labelledby')}`)!.textContent).toBe(translate('fr', 'callback.name.label'));
    render(null, cb.root);
    const code = show({ screen: 'appointmentCode' });
    expect(byId(code, 'key-7')).not.toBeNull();
    expect(byId(code, 'key-K')).not.toBeNull();
  });
});

describe('callback request in another language', () => {
  it('stores the citizen’s language (the agent calls back with an interpreter) and types on a QWERTY with Spanish accents', async () => {
    const r = show({ screen: 'callback', sub: 'form', ctx: { callbackReason: 'no_agent' } }, 'es');
    click(r, 'callback-name');
    for (const k of ['N', 'U', 'Ñ', 'E', 'Z']) click(r, `callback-key-${k}`);
    click(r, 'callback-phone');
    for (const d of '4385550123') click(r, `callback-key-${d}`);
    click(r, 'callback-window-morning');
    await act(async () => byId(r, 'callback-submit')!.click());
    expect(r.puts).toEqual([{ name: 'Nuñez', phone: '+14385550123', timeWindow: 'morning', service: 'immigration', language: 'es', reason: 'no_agent' }]);
  });
});
