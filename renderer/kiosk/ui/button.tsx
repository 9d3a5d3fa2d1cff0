// One button for every citizen screen: at least 72 px (styles.css), pictogram + label, visible focus.
import type { ComponentChildren } from 'preact';
import { Pictogram } from './pictogram';

export interface ButtonProps {
  /** Stable test id (E2E drives the kiosk with these). */
  testid: string;
  /** Visible label (from the catalog). */
  label: string;
  /** Pictogram name. */
  icon?: string;
  /** Visual weight: primary (filled), secondary (outlined), danger (red), quiet (text). */
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
  /** Click handler. */
  onClick(): void;
  disabled?: boolean;
  /** Toggle buttons: aria-pressed. */
  pressed?: boolean;
  /** Language of the label when it is not the page's (bilingual screens). */
  lang?: string;
  /** Extra content under the label (e.g. the label in a second language). */
  extra?: ComponentChildren;
  /** Extra CSS classes. */
  class?: string;
}

export function Button(p: ButtonProps) {
  return (
    <button
      type="button"
      class={`btn btn-${p.variant ?? 'secondary'}${p.class ? ` ${p.class}` : ''}`}
      data-testid={p.testid}
      disabled={p.disabled}
      aria-pressed={p.pressed === undefined ? undefined : p.pressed ? 'true' : 'false'}
      lang={p.lang}
      onClick={() => p.onClick()}
    >
      {p.icon ? <Pictogram name={p.icon} /> : null}
      <span class="btn-label">{p.label}</span>
      {p.extra}
    </button>
  );
}
