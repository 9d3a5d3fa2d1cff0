// The display-mode toggle in every screen's top bar: one pictogram button that opens a small panel
// with three switches (large text, high contrast, controls low). State lives in ../modes.ts (reset
// with the visit); this is only its face.
import { useEffect, useRef } from 'preact/hooks';
import { controlsLow, highContrast, largeText, modePanelOpen } from '../modes';
import { Button } from './button';
import { useKiosk } from './context';
import { Pictogram } from './pictogram';

export function ModeToggle() {
  const { t } = useKiosk();
  const open = modePanelOpen.value;
  const root = useRef<HTMLDivElement>(null);
  // A touch anywhere else closes the panel (the citizen goes on with the screen).
  useEffect(() => {
    if (!open) return;
    const doc = root.current?.ownerDocument;
    const onDown = (e: Event) => {
      if (root.current && !root.current.contains(e.target as Node)) modePanelOpen.value = false;
    };
    doc?.addEventListener('pointerdown', onDown, true);
    return () => doc?.removeEventListener('pointerdown', onDown, true);
  }, [open]);
  return (
    <div class="mode-toggle" ref={root}>
      <button
        type="button"
        class="btn btn-secondary mode-toggle-button"
        data-testid="mode-toggle"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="mode-panel"
        onClick={() => (modePanelOpen.value = !open)}
      >
        <Pictogram name="display" />
        <span class="btn-label">{t('kiosk.modes.open')}</span>
      </button>
      {open ? (
        <div id="mode-panel" class="mode-panel" role="group" aria-label={t('kiosk.modes.title')} data-testid="mode-panel">
          <Button testid="mode-large" icon="text-large" label={t('kiosk.modes.large')} pressed={largeText.value} onClick={() => (largeText.value = !largeText.value)} />
          <Button testid="mode-contrast" icon="contrast" label={t('kiosk.modes.contrast')} pressed={highContrast.value} onClick={() => (highContrast.value = !highContrast.value)} />
          <Button testid="mode-low" icon="reach-low" label={t('kiosk.modes.low')} pressed={controlsLow.value} onClick={() => (controlsLow.value = !controlsLow.value)} />
          <Button testid="mode-close" icon="check" variant="primary" label={t('kiosk.modes.close')} onClick={() => (modePanelOpen.value = false)} />
        </div>
      ) : null}
    </div>
  );
}
