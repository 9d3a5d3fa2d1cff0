// Building blocks shared by the screens: big icon + text buttons, headings, the screen frame.
import type { Child, VNode } from './dom';
import { h } from './dom';
import { pictogram } from './pictograms';

/** An inline pictogram (decorative: the text beside it carries the meaning). */
export function icon(name: string, cls = 'icon'): VNode {
  const node = h('span', { class: cls, 'aria-hidden': 'true' });
  node.children = [{ ...h('svg'), svg: pictogram(name) }];
  return node;
}

export interface ButtonOpts {
  /** Stable test id (E2E drives the kiosk with these). */
  testid: string;
  /** Visible label (from the catalog). */
  label: string;
  /** Pictogram name. */
  icon?: string;
  /** Visual weight: primary (filled), secondary (outlined), danger (red), quiet (text). */
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
  /** Click handler. */
  onClick: () => void;
  /** Extra attributes (aria-pressed, lang…). */
  attrs?: Record<string, string | boolean | number | undefined>;
  /** Extra content under the label (e.g. a second language). */
  extra?: Child;
}

/** A touch target of at least 72 px (styles.css), icon + text, with visible focus. */
export function button(o: ButtonOpts): VNode {
  return h(
    'button',
    { type: 'button', class: `btn btn-${o.variant ?? 'secondary'}`, 'data-testid': o.testid, ...(o.attrs ?? {}), on: { click: () => o.onClick() } },
    o.icon ? icon(o.icon) : null,
    h('span', { class: 'btn-label' }, o.label),
    o.extra ?? null,
  );
}

/** The frame of every screen: root with `screen-<name>` test id, a heading and content. */
export function screen(name: string, title: string | null, ...content: Child[]): VNode {
  return h(
    'section',
    { class: `screen screen-${name}`, 'data-testid': `screen-${name}`, 'aria-labelledby': title ? `title-${name}` : undefined },
    title ? h('h1', { id: `title-${name}`, class: 'title' }, title) : null,
    ...content,
  );
}

/** A row of actions at the bottom of a screen. */
export const actions = (...buttons: Child[]): VNode => h('div', { class: 'actions' }, ...buttons);

/** A paragraph. */
export const p = (text: string, cls = 'text'): VNode => h('p', { class: cls }, text);
