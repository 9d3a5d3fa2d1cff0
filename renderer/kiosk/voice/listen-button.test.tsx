// @vitest-environment happy-dom
// The Écouter button rendered by Preact from a machine view: its word in the visit's language, the
// prompt it asks for on each screen, hidden once the agent's audio is up; and every screen the
// machine has maps to a prompt the built manifest can play in French and English.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../../common/config';
import { translator } from '../../../common/i18n';
import type { ScreenName, SessionView } from '../../../common/session';
import { emptyVisit } from '../../../common/session';
import { KioskContext, type ScreenProps } from '../ui/context';
import { listenButton } from './listen-button';
import { builtManifest } from './manifest';
import type { VoicePlayer } from './player';
import { createVoicePlayer } from './player';
import { promptIdFor } from './prompts';

const config = KioskPublicConfig.parse({});
const view = (screen: ScreenName, sub: string | null = null, over: Partial<SessionView['context']> = {}, idlePrompt = false, flags: Partial<SessionView> = {}): SessionView => ({
  screen,
  sub,
  idlePrompt,
  hangupPrompt: false,
  ...flags,
  context: { timers: config.timers, schedule: config.schedule, serviceIds: [], idPrefix: 't', requestSeq: 1, ...emptyVisit(), ...over },
});

let root: HTMLElement;
let player: VoicePlayer;
afterEach(() => {
  render(null, root);
  player.dispose();
});

function mount(v: SessionView) {
  root = document.createElement('div');
  document.body.appendChild(root);
  player = createVoicePlayer({ doc: document });
  const plays: [string, string][] = [];
  const real = player.play;
  player.play = (id, lang) => (plays.push([id, lang]), real(id, lang));
  const Listen = listenButton(player);
  const props = { view: v, lang: v.context.lang, t: translator(v.context.lang) } as unknown as ScreenProps;
  render(
    <KioskContext.Provider value={props}>
      <Listen />
    </KioskContext.Provider>,
    root,
  );
  return { plays, button: () => root.querySelector<HTMLButtonElement>('[data-testid="listen"]') };
}

describe('ListenButton', () => {
  it('says Écouter / Listen and asks for the screen’s prompt in the visit’s language', async () => {
    const fr = mount(view('service'));
    expect(fr.button()?.textContent).toContain('Écouter');
    expect(fr.button()?.querySelector('svg')).not.toBeNull();
    await act(() => fr.button()!.click());
    expect(fr.plays).toEqual([['service', 'fr']]);
    expect(new URL(player.audio.src).pathname).toBe(`/${builtManifest.prompts.fr!.service!.src}`);
    render(null, root);
    player.dispose();

    const en = mount(view('callFailed', null, { lang: 'en', failure: 'noAgent' }));
    expect(en.button()?.textContent).toContain('Listen');
    await act(() => en.button()!.click());
    expect(en.plays).toEqual([['callFailed.noAgent', 'en']]);
  });

  it('marks itself while its prompt plays', async () => {
    const m = mount(view('consent'));
    await act(() => m.button()!.click());
    expect(m.button()?.classList.contains('is-speaking')).toBe(true);
    await act(() => player.stop());
    expect(m.button()?.classList.contains('is-speaking')).toBe(false);
  });

  it('is there while the call connects ("Un agent vous répond"), gone once connected or blocked', async () => {
    expect(mount(view('inCall', 'connecting')).button()).not.toBeNull();
    render(null, root);
    player.dispose();
    expect(mount(view('inCall', 'connected')).button()).toBeNull();
    render(null, root);
    player.dispose();
    const m = mount(view('waiting'));
    await act(() => player.setBlocked(true));
    expect(m.button()).toBeNull();
  });
});

describe('screen → prompt', () => {
  const screens: [ScreenName, string | null, Partial<SessionView['context']>, string | null, Partial<SessionView>?][] = [
    ['attract', null, {}, 'attract'],
    ['closed', null, {}, 'closed'],
    ['language', null, {}, 'language'],
    ['service', null, {}, 'service'],
    ['visitType', null, {}, 'visitType'],
    ['appointmentCode', null, {}, 'appointmentCode'],
    ['consent', null, {}, 'consent'],
    ['declined', null, {}, 'declined'],
    ['deviceCheck', 'acquiring', {}, 'deviceCheck'],
    ['deviceCheck', 'ready', { audioOnly: true }, 'deviceCheck.audioOnly'],
    ['videoUnavailable', null, { audioOnly: true }, 'videoUnavailable', { offerAudioCall: false }],
    ['videoUnavailable', null, {}, 'videoUnavailable.audioCall', { offerAudioCall: true }],
    ['waiting', null, {}, 'waiting'],
    ['waiting', null, { noAgent: true }, 'waiting.noAgent', { noAgent: true }],
    ['inCall', 'connecting', {}, 'agentAnswered'],
    ['inCall', 'connected', {}, null],
    ['callFailed', null, { failure: 'dropped' }, 'callFailed.dropped'],
    ['callFailed', null, { failure: 'hubOffline' }, 'callFailed.hubOffline'],
    ['callFailed', null, { failure: null }, 'callFailed.error'],
    ['callback', 'form', {}, 'callback'],
    ['callback', 'saved', {}, 'callback.saved'],
    ['survey', null, {}, 'survey'],
    ['thanks', null, {}, 'thanks'],
  ];
  it.each(screens)('%s %s → %s, playable in every voice language', (screen, sub, ctx, expected, flags) => {
    const id = promptIdFor(view(screen, sub, ctx, false, flags));
    expect(id).toBe(expected);
    if (id) for (const lang of ['fr', 'en', 'es', 'ar', 'zh']) expect(builtManifest.prompts[lang]?.[id], `${lang}/${id}`).toBeDefined();
  });

  it('the idle prompt covers any screen; in line it says the place is kept', () => {
    expect(promptIdFor(view('service', null, {}, true))).toBe('idle');
    expect(promptIdFor(view('waiting', null, {}, true, { idleKeepsPlace: true }))).toBe('idle.waiting');
  });
});
