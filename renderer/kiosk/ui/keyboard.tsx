// The one on-screen keyboard. Every text field of the kiosk types through it: no system keyboard
// pops up, nothing is typed into a real <input> the browser could remember for the next citizen.
//   text  — AZERTY for French, QWERTY for every other language, an accents row, optional digits row
//   phone — a telephone keypad (1–9, 0, erase)
//   code  — digits row + letters (appointment codes: A–Z and 0–9 only)
import type { JSX } from 'preact';

export type KeyboardVariant = 'text' | 'phone' | 'code';

export interface KeyboardProps {
  variant: KeyboardVariant;
  /** UI language of the visit: `fr` gets AZERTY, anything else QWERTY. */
  lang: string;
  /** A key was pressed: the character as shown (letters upper case; the field decides the case). */
  onKey(ch: string): void;
  /** The erase key. */
  onErase(): void;
  /** Test id prefix: keys are `<prefix>-A`, `<prefix>-1`, `<prefix>-space`, `<prefix>-erase`, `<prefix>-apostrophe`. */
  testidPrefix: string;
  /** Accessible name of the key group (the field it types into). */
  label: string;
  /** Labels of the space and erase keys (from the catalog). */
  spaceLabel: string;
  eraseLabel: string;
  /** text: add the digits row. */
  digits?: boolean;
  /** text: punctuation keys at the end of the last letter row. */
  punctuation?: string;
  /** All keys disabled (while a request is being saved). */
  disabled?: boolean;
}

const LETTERS: Record<'azerty' | 'qwerty', string[]> = {
  azerty: ['AZERTYUIOP', 'QSDFGHJKLM', 'WXCVBN'],
  qwerty: ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'],
};
/**
 * The accents row: French and English names both need the French accents (Marie-Ève, Hélène,
 * François); Spanish has its own. Ten keys at most, as wide as a letter row.
 */
const ACCENTS: Record<string, string> = { fr: 'ÉÈÊËÀÂÇÎÔÛ', es: 'ÁÉÍÓÚÑÜ' };
const accentsFor = (lang: string): string => ACCENTS[lang] ?? ACCENTS.fr!;
const DIGITS = '1234567890';
const PHONE = ['123', '456', '789'];

/** Layout name for a UI language (exported for tests and for the chat panel). */
export const layoutFor = (lang: string): 'azerty' | 'qwerty' => (lang === 'fr' ? 'azerty' : 'qwerty');

const keyId = (ch: string) => (ch === ' ' ? 'space' : ch === "'" ? 'apostrophe' : ch);

export function Keyboard(p: KeyboardProps) {
  const key = (ch: string, label: string = ch, cls = 'key'): JSX.Element => (
    <button
      type="button"
      class={cls}
      data-testid={`${p.testidPrefix}-${keyId(ch)}`}
      data-key={ch}
      disabled={p.disabled}
      // Keys must not take the focus from the field they type into (screen readers stay on the field).
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => p.onKey(ch)}
    >
      {label}
    </button>
  );
  const erase = (
    <button
      type="button"
      class="key key-wide key-erase"
      data-testid={`${p.testidPrefix}-erase`}
      data-key="erase"
      disabled={p.disabled}
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => p.onErase()}
    >
      {p.eraseLabel}
    </button>
  );
  const row = (chars: string, extra?: JSX.Element | null) => (
    <div class="kbd-row" key={chars}>
      {[...chars].map((c) => key(c))}
      {extra}
    </div>
  );

  let rows: JSX.Element[];
  if (p.variant === 'phone') {
    rows = [...PHONE.map((r) => row(r)), <div class="kbd-row" key="0">{key('0')}{erase}</div>];
  } else if (p.variant === 'code') {
    const [r1, r2, r3] = LETTERS[layoutFor(p.lang)] as [string, string, string];
    rows = [row(DIGITS), row(r1), row(r2), row(r3, erase)];
  } else {
    const [r1, r2, r3] = LETTERS[layoutFor(p.lang)] as [string, string, string];
    rows = [
      ...(p.digits ? [row(DIGITS)] : []),
      row(r1),
      row(r2),
      row(r3 + (p.punctuation ?? '')),
      row(accentsFor(p.lang)),
      <div class="kbd-row" key="space">
        {key(' ', p.spaceLabel, 'key key-space')}
        {erase}
      </div>,
    ];
  }
  return (
    // Latin keys keep their order on a right-to-left page (an Arabic visit types a Latin name).
    <div class={`kbd kbd-${p.variant} kbd-${p.variant === 'phone' ? 'keypad' : layoutFor(p.lang)}`} dir="ltr" role="group" aria-label={p.label} data-keyboard={p.variant}>
      {rows}
    </div>
  );
}
