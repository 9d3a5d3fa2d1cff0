// The frame of every citizen screen: a pictogram and a title, a body that scrolls when it does not
// fit, and the actions kept at the bottom (so "Envoyer" never falls below the screen). The top bar
// (listen, modes, language slots filled by other components) is the kiosk root's, beside the screen,
// so it is not rebuilt at every screen change; overlays put their own in their dialog.
import type { ComponentChildren } from 'preact';
import { useContext, useLayoutEffect, useRef } from 'preact/hooks';
import { SlotsContext } from './context';
import { Pictogram } from './pictogram';

export interface ScreenFrameProps {
  /** Screen name: `screen-<name>` test id and class. */
  name: string;
  /** Heading (h1); null for screens whose content is the heading (attract, call). */
  title?: string | null;
  /** Language of the title when it differs from the page's. */
  titleLang?: string;
  /** Pictogram above the title. */
  icon?: string;
  /** Extra class on the section. */
  class?: string;
  /** Buttons at the bottom. */
  actions?: ComponentChildren;
  /** The screen's body. */
  children?: ComponentChildren;
}

/** The top bar alone (overlays reuse it so "Écouter" is there too). */
export function TopBar() {
  const slots = useContext(SlotsContext);
  const { listen: Listen, modes: Modes, language: Lang } = slots;
  return (
    <div class="vg-topbar">
      <div class="vg-slot-listen">{Listen ? <Listen /> : null}</div>
      <div class="vg-slot-language">{Lang ? <Lang /> : null}</div>
      <div class="vg-slot-modes">{Modes ? <Modes /> : null}</div>
    </div>
  );
}

/**
 * A body that overflows (large text, a short screen) scrolls, and then must be reachable from the
 * keyboard and named (axe: scrollable-region-focusable): it becomes a focusable region only while
 * it actually scrolls, so it is no extra tab stop otherwise.
 */
function useScrollableRegion(labelledBy: string | undefined) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => {
      if (el.scrollHeight > el.clientHeight + 1) {
        el.tabIndex = 0;
        el.setAttribute('role', 'region');
        if (labelledBy) el.setAttribute('aria-labelledby', labelledBy);
      } else {
        el.removeAttribute('tabindex');
        el.removeAttribute('role');
        el.removeAttribute('aria-labelledby');
      }
    };
    // Checked when the body's box changes size (it grows with its content until the screen caps
    // it, which is when scrolling starts), including at first observation: the observer runs after
    // layout, so rendering never forces a layout of its own.
    const RO = (el.ownerDocument.defaultView as (Window & { ResizeObserver?: typeof ResizeObserver }) | null)?.ResizeObserver;
    if (!RO) return;
    const ro = new RO(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return ref;
}

export function ScreenFrame(p: ScreenFrameProps) {
  const titleId = p.title ? `title-${p.name}` : undefined;
  const body = useScrollableRegion(titleId);
  return (
    // `arming`: a new screen ignores touches for a moment (styles.css), so the second tap of a double
    // tap never lands on a button that appeared under the finger. The element is created once per
    // screen, so the animation runs once.
    <section class={`screen screen-${p.name} arming${p.class ? ` ${p.class}` : ''}`} data-testid={`screen-${p.name}`} aria-labelledby={titleId}>
      {p.icon ? <Pictogram name={p.icon} class="icon icon-hero screen-icon" /> : null}
      {p.title ? (
        <h1 id={titleId} class="title" lang={p.titleLang}>
          {p.title}
        </h1>
      ) : null}
      <div class="screen-body" ref={body}>
        {p.children}
      </div>
      {p.actions ? <div class="actions">{p.actions}</div> : null}
    </section>
  );
}
