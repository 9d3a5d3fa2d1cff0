// One pictogram component: inline SVG from assets/pictograms (inherits the text colour, no network).
import { pictogram } from '../pictograms';

export interface PictogramProps {
  /** File name in assets/pictograms without .svg; an unknown name shows `info`. */
  name: string;
  /** CSS class (default `icon`; `icon icon-hero` for the big one on top of a screen). */
  class?: string;
}

/** Decorative: the text beside it carries the meaning, so screen readers skip it. */
export function Pictogram({ name, class: cls = 'icon' }: PictogramProps) {
  // Build-time asset markup, never citizen input.
  return <span class={cls} aria-hidden="true" data-pictogram={name} dangerouslySetInnerHTML={{ __html: pictogram(name) }} />;
}
