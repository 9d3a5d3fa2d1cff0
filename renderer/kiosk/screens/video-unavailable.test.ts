import { describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../../common/config';
import { t as translate, translator } from '../../../common/i18n';
import type { SessionView } from '../../../common/session';
import { emptyVisit } from '../../../common/session';
import { byTestId, textOf } from '../dom';
import { videoUnavailable } from './call';
import type { ScreenProps } from './types';
import { freshUi } from './types';

const config = KioskPublicConfig.parse({});

function hint(cameraMissing: boolean | undefined) {
  const view: SessionView = {
    screen: 'videoUnavailable',
    sub: null,
    idlePrompt: false,
    hangupPrompt: false,
    context: { timers: config.timers, schedule: config.schedule, serviceIds: config.services.map((s) => s.id), idPrefix: 't', requestSeq: 1, ...emptyVisit(), lang: 'fr' },
  };
  const props: ScreenProps = {
    view,
    lang: 'fr',
    t: translator('fr'),
    tIn: (l, k, p) => translate(l, k, p),
    config,
    ui: freshUi(),
    send: () => {},
    refresh: () => {},
    media: { local: () => null, remote: () => null, meter: () => () => {}, ...(cameraMissing === undefined ? {} : { cameraMissing: () => cameraMissing }) },
    now: () => new Date('2026-11-23T15:00:00Z'),
    submitCallback: () => Promise.resolve({ ok: true as const, value: { id: 'x' } }),
  };
  const tree = videoUnavailable(props);
  return { hint: textOf(byTestId(tree, 'video-recover-hint')!).join(' '), all: textOf(tree).join(' ') };
}

describe('video-unavailable screen', () => {
  it('a booth with no camera says so (not "disconnected"), with the toll-free number', () => {
    const r = hint(true);
    expect(r.hint).toBe(translate('fr', 'kiosk.video.missing'));
    expect(r.all).toContain(config.tollFree);
  });

  it('a camera lost or failing keeps the "plug it back in" hint', () => {
    expect(hint(false).hint).toBe(translate('fr', 'kiosk.video.lost'));
    expect(hint(undefined).hint).toBe(translate('fr', 'kiosk.video.lost'));
  });
});
