// @vitest-environment happy-dom
// The display modes: the top bar's toggle turns them on and off, <body> carries them as classes,
// and the visit's reset turns every one off (the next citizen never inherits them).
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../common/i18n';
import { applyModes, controlsLow, highContrast, largeText, modePanelOpen, resetModes } from '../modes';
import { KioskContext, type ScreenProps } from './context';
import { ModeToggle } from './mode-toggle';

let root: HTMLElement;
let stop: () => void;

function mount(lang: 'fr' | 'en' = 'fr'): void {
  // The toggle reads only the translator from the kiosk context.
  const props = { t: translator(lang) } as unknown as ScreenProps;
  act(() => {
    render(
      <KioskContext.Provider value={props}>
        <ModeToggle />
        <button type="button" data-testid="elsewhere">x</button>
      </KioskContext.Provider>,
      root,
    );
  });
}
const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const tap = (id: string) =>
  act(() => {
    const el = q(id);
    if (!el) throw new Error(`no [data-testid=${id}]`);
    el.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    el.click();
  });

beforeEach(() => {
  resetModes();
  root = document.createElement('div');
  document.body.append(root);
  stop = applyModes(document.body);
});
afterEach(() => {
  render(null, root);
  root.remove();
  stop();
  resetModes();
});

describe('display modes', () => {
  it('one pictogram button opens the panel; each switch sets its class on <body> and says it is on', () => {
    mount();
    const toggle = q('mode-toggle')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent).toContain('Affichage');
    expect(q('mode-panel')).toBeNull();
    tap('mode-toggle');
    expect(q('mode-toggle')!.getAttribute('aria-expanded')).toBe('true');
    expect(q('mode-panel')!.getAttribute('aria-label')).toMatch(/\S/);

    tap('mode-large');
    expect(document.body.classList.contains('mode-large')).toBe(true);
    expect(q('mode-large')!.getAttribute('aria-pressed')).toBe('true');
    tap('mode-contrast');
    tap('mode-low');
    expect([...document.body.classList].filter((c) => c.startsWith('mode-')).sort()).toEqual(['mode-contrast', 'mode-large', 'mode-low']);
    tap('mode-large');
    expect(document.body.classList.contains('mode-large')).toBe(false);
    expect(q('mode-large')!.getAttribute('aria-pressed')).toBe('false');
    expect(largeText.value).toBe(false);
    expect(highContrast.value && controlsLow.value).toBe(true);
  });

  it('the panel closes with its own button, with the toggle, or with a touch elsewhere', () => {
    mount();
    tap('mode-toggle');
    tap('mode-close');
    expect(q('mode-panel')).toBeNull();
    tap('mode-toggle');
    tap('mode-toggle');
    expect(q('mode-panel')).toBeNull();
    tap('mode-toggle');
    tap('elsewhere');
    expect(q('mode-panel')).toBeNull();
    expect(q('mode-toggle')!.getAttribute('aria-expanded')).toBe('false');
  });

  it('the reset after a visit turns every mode off and closes the panel', () => {
    mount();
    tap('mode-toggle');
    tap('mode-large');
    tap('mode-contrast');
    tap('mode-low');
    act(() => resetModes());
    expect([...document.body.classList].filter((c) => c.startsWith('mode-'))).toEqual([]);
    expect(modePanelOpen.value).toBe(false);
    expect(q('mode-panel')).toBeNull();
  });

  it('speaks the visit’s language', () => {
    mount('en');
    expect(q('mode-toggle')!.textContent).toContain('Display');
    tap('mode-toggle');
    expect(q('mode-low')!.textContent).toMatch(/\S/);
    expect(q('mode-low')!.textContent).not.toBe(translator('fr')('kiosk.modes.low'));
  });
});
