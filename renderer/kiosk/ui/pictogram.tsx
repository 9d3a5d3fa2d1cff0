// One pictogram component: inline SVG from assets/pictograms (inherits the text colour, no network).
import { pictogram } from '../pictograms';

export interface PictogramProps {
  /** File name in assets/pictograms without .svg; an unknown name shows `info`. */
  name: string;
  /** CSS class (default `icon`; `icon icon-hero` for the big one on top of a screen). */
  class?: string;
}

// Each SVG is parsed once per document and cloned after that: parsing markup (innerHTML) for every
// pictogram of every new screen was a measurable part of a tap's time (`./vg bench tap --trace`).
const parsed = new WeakMap<Document, Map<string, DocumentFragment>>();

/** Fills a pictogram's span with a clone of its SVG (a ref: runs once per element, which is keyed by name). */
function fill(el: HTMLSpanElement | null): void {
  if (!el || el.firstChild) return;
  const doc = el.ownerDocument;
  const name = el.dataset.pictogram ?? 'info';
  let byName = parsed.get(doc);
  if (!byName) parsed.set(doc, (byName = new Map()));
  let fragment = byName.get(name);
  if (!fragment) {
    const template = doc.createElement('template');
    // Build-time asset markup, never citizen input.
    template.innerHTML = pictogram(name);
    fragment = template.content;
    byName.set(name, fragment);
  }
  el.appendChild(doc.importNode(fragment, true));
}

/** Decorative: the text beside it carries the meaning, so screen readers skip it. */
export function Pictogram({ name, class: cls = 'icon' }: PictogramProps) {
  // Keyed by name: another pictogram is another element, filled by its ref; Preact never manages
  // the SVG inside (the span has no children of its own).
  return <span key={name} class={cls} aria-hidden="true" data-pictogram={name} ref={fill} />;
}
