// Display modes a citizen turns on from any screen (the top bar's mode toggle): large text (x1.5),
// high contrast (7:1) and "controls low" (every decision in the lower half of a portrait screen, for
// people seated in a wheelchair). They are classes on <body> that styles.css reads, so no screen
// needs to know about them. They belong to one visit: the visit's wipe calls resetModes(), so the
// next citizen never inherits them (and nothing is stored anywhere).
import { effect, signal } from '@preact/signals';

/** Text and every rem-sized thing x1.5 (`mode-large`). */
export const largeText = signal(false);
/** White and yellow on black, every text at 7:1 or more (`mode-contrast`). */
export const highContrast = signal(false);
/** Every control in the lower half of the screen (`mode-low`). */
export const controlsLow = signal(false);
/** The toggle's panel is open (closed again by the reset, like everything else of the visit). */
export const modePanelOpen = signal(false);

/** Body classes for each mode (tests and styles.css use these names). */
export const MODE_CLASSES = { largeText: 'mode-large', highContrast: 'mode-contrast', controlsLow: 'mode-low' } as const;

/** Keeps `body`'s classes in step with the signals; returns the function that stops it. */
export function applyModes(body: HTMLElement): () => void {
  return effect(() => {
    body.classList.toggle(MODE_CLASSES.largeText, largeText.value);
    body.classList.toggle(MODE_CLASSES.highContrast, highContrast.value);
    body.classList.toggle(MODE_CLASSES.controlsLow, controlsLow.value);
  });
}

/** Back to the booth's defaults (the end of a visit, by any path). */
export function resetModes(): void {
  largeText.value = false;
  highContrast.value = false;
  controlsLow.value = false;
  modePanelOpen.value = false;
}
