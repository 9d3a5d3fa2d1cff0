// A text field typed with the on-screen keyboard. Not an <input>: no system keyboard, no autofill,
// nothing the browser could remember for the next citizen. It is still a field for assistive
// technology: role textbox, labelled, its text is its value, errors described; a physical keyboard
// (switch access, technician) types into it too.
import type { JSX } from 'preact';

export interface TextFieldProps {
  /** Test id of the field (its text is the value). */
  testid: string;
  /** Element id; the label is `<id>-label`, the error `<id>-error`. */
  id: string;
  /** Visible label. */
  label: string;
  /** Hint under the label. */
  hint?: string;
  /** What is shown (formatted value). */
  value: string;
  /** The keyboard types into this field now. */
  active?: boolean;
  /** Tapped or focused: make it the active field. */
  onActivate?(): void;
  /** A physical key (printable character). */
  onKey?(ch: string): void;
  /** Backspace on a physical keyboard. */
  onErase?(): void;
  /** Error text (shown under the field, announced). */
  error?: string;
  /** Several lines (survey comment). */
  multiline?: boolean;
  /** Extra attributes for the field element (data-field…). */
  attrs?: Record<string, string>;
  /** Field-specific class. */
  class?: string;
}

export function TextField(p: TextFieldProps) {
  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Backspace') {
      e.preventDefault();
      p.onErase?.();
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      p.onKey?.(e.key);
    }
  };
  const errorId = `${p.id}-error`;
  return (
    <div class={`field${p.active ? ' field-active' : ''}${p.class ? ` ${p.class}` : ''}`}>
      <span class="field-label" id={`${p.id}-label`}>
        {p.label}
      </span>
      {p.hint ? <span class="field-hint">{p.hint}</span> : null}
      <div
        id={p.id}
        class="field-input"
        role="textbox"
        tabIndex={0}
        aria-multiline={p.multiline ? 'true' : undefined}
        aria-labelledby={`${p.id}-label`}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? errorId : undefined}
        data-testid={p.testid}
        data-active={p.active ? 'true' : 'false'}
        {...(p.attrs ?? {})}
        onClick={() => p.onActivate?.()}
        onFocus={() => p.onActivate?.()}
        onKeyDown={onKeyDown}
      >
        {p.value || '\u00a0'}
      </div>
      <div class="field-error" id={errorId} data-error={p.attrs?.['data-field']} aria-live="polite">
        {p.error ?? ''}
      </div>
    </div>
  );
}
