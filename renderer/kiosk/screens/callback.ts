// The citizen's callback-request form: name (on-screen keyboard), phone (keypad, North-American
// validation), preferred time window. "Votre demande est enregistrée" appears only once onSubmit
// resolved ok — i.e. after the outbox committed — so the booth never claims to have saved
// something it has not. Works offline: the outbox is local. Self-contained: the session machine
// mounts it, and destroy() leaves nothing behind (no storage, no listeners, no DOM).
import type { Language } from '../../../common/config';
import type { MessageKey } from '../../../common/i18n/index';
import type { CallbackReason } from '../../../common/outbox';
import { normalizeNaPhone, type OutboxRecordInput, type TimeWindow } from '../../../common/outbox';
import type { Result } from '../../../common/result';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
type Reason = CallbackReason;

export interface CallbackFormOptions {
  /** Translator for the citizen's language. */
  t: Translate;
  /** The citizen's language (stored with the request: the agent calls back in it). */
  language: Language;
  /** Service id the citizen picked. */
  service: string;
  /** Why the callback is offered (shown above the form and stored with the request). */
  reason?: Reason;
  /** Toll-free number shown when the outbox is full. */
  tollFree?: string;
  /** Stores the request (e.g. `bridge.invoke('outbox.put', { kind: 'callback', record })`); must resolve only after the commit. */
  onSubmit: (record: OutboxRecordInput<'callback'>) => Promise<Result<unknown>>;
  /** The citizen gave up (back / cancel). */
  onCancel: () => void;
  /** The citizen tapped "Terminer" on the confirmation (defaults to onCancel). */
  onDone?: () => void;
}

export interface CallbackFormHandle {
  /** Removes everything the form created (DOM and listeners); typed data is dropped with it. */
  destroy(): void;
}

const WINDOWS: readonly TimeWindow[] = ['morning', 'afternoon', 'any'];
const LETTERS: Record<Language, string[]> = {
  fr: ['AZERTYUIOP', 'QSDFGHJKLM', 'WXCVBN-\'', 'ÉÈÊÀÂÇÎÔÛË'],
  en: ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM-\'', 'ÉÈÊÀÂÇÎÔÛË'],
};
const NAME_MAX = 80;
const PHONE_DIGITS_MAX = 11;

const STYLE = `
.vg-cb { display: flex; flex-direction: column; gap: 16px; font-size: 24px; max-width: 1100px; margin: 0 auto; }
.vg-cb button { min-height: 72px; min-width: 72px; font-size: 24px; border-radius: 12px; }
.vg-cb-field { display: flex; flex-direction: column; gap: 4px; }
.vg-cb-input { min-height: 72px; font-size: 32px; padding: 8px 16px; border: 3px solid #888; border-radius: 12px; background: #fff; color: #000; text-align: left; }
.vg-cb-input[aria-pressed="true"] { border-color: #095797; box-shadow: 0 0 0 3px #095797; }
.vg-cb-error { color: #b00020; min-height: 1.2em; }
.vg-cb-windows { display: flex; gap: 12px; }
.vg-cb-windows button[aria-pressed="true"] { background: #095797; color: #fff; }
.vg-cb-keys { display: flex; flex-direction: column; gap: 8px; align-items: center; }
.vg-cb-row { display: flex; gap: 8px; }
.vg-cb-actions { display: flex; gap: 16px; justify-content: space-between; }
.vg-cb-privacy { font-size: 18px; color: #333; }
`;

/** Renders the form into `root` (emptied first). */
export function renderCallbackForm(root: HTMLElement, opts: CallbackFormOptions): CallbackFormHandle {
  const { t } = opts;
  const doc = root.ownerDocument;
  const state = { name: '', phoneDigits: '', window: null as TimeWindow | null, active: 'name' as 'name' | 'phone', busy: false };
  root.replaceChildren();

  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
    const { dataset, ...rest } = props;
    const node = Object.assign(doc.createElement(tag), rest);
    if (dataset) Object.assign(node.dataset, dataset);
    node.append(...children);
    return node;
  };

  const container = el('section', { className: 'vg-cb', dataset: { screen: 'callback' } });
  container.append(el('style', { textContent: STYLE }));
  container.append(el('h1', { textContent: t('callback.title') }));
  if (opts.reason) container.append(el('p', { className: 'vg-cb-reason', textContent: t(`callback.reason.${opts.reason}`) }));

  // Fields are buttons, not <input>s: no system keyboard pops up, no autofill, nothing the
  // browser could remember for the next citizen.
  const nameBox = el('button', { type: 'button', className: 'vg-cb-input', dataset: { field: 'name', testid: 'callback-name' } });
  const nameError = el('div', { className: 'vg-cb-error', dataset: { error: 'name' } });
  const phoneBox = el('button', { type: 'button', className: 'vg-cb-input', dataset: { field: 'phone', testid: 'callback-phone' } });
  const phoneError = el('div', { className: 'vg-cb-error', dataset: { error: 'phone' } });
  nameBox.setAttribute('aria-label', t('callback.name.label'));
  phoneBox.setAttribute('aria-label', t('callback.phone.label'));
  container.append(
    el('div', { className: 'vg-cb-field' }, el('label', { textContent: t('callback.name.label') }), nameBox, nameError),
    el('div', { className: 'vg-cb-field' }, el('label', { textContent: t('callback.phone.label') }), el('small', { textContent: t('callback.phone.hint') }), phoneBox, phoneError),
  );

  const windowButtons = WINDOWS.map((w) => el('button', { type: 'button', textContent: t(`callback.window.${w}`), dataset: { window: w, testid: `callback-window-${w}` } }));
  const windowError = el('div', { className: 'vg-cb-error', dataset: { error: 'window' } });
  container.append(el('div', { className: 'vg-cb-field' }, el('label', { textContent: t('callback.window.label') }), el('div', { className: 'vg-cb-windows' }, ...windowButtons), windowError));

  const keys = el('div', { className: 'vg-cb-keys', dataset: { keyboard: '' } });
  container.append(keys);
  container.append(el('p', { className: 'vg-cb-privacy', textContent: t('callback.privacy') }));
  const formError = el('div', { className: 'vg-cb-error', role: 'alert', dataset: { error: 'form', testid: 'callback-error' } });
  const submit = el('button', { type: 'button', textContent: t('callback.submit'), dataset: { action: 'submit', testid: 'callback-submit' } });
  const cancel = el('button', { type: 'button', textContent: t('action.cancel'), dataset: { action: 'cancel', testid: 'callback-cancel' } });
  container.append(formError, el('div', { className: 'vg-cb-actions' }, cancel, submit));
  root.append(container);

  function formatPhone(d: string): string {
    const local = d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
    const prefix = local === d ? '' : '1 ';
    if (local.length <= 3) return prefix + local;
    if (local.length <= 6) return `${prefix}${local.slice(0, 3)} ${local.slice(3)}`;
    return `${prefix}${local.slice(0, 3)} ${local.slice(3, 6)}-${local.slice(6)}`;
  }

  function renderKeys(): void {
    const key = (label: string, value: string, wide = false) => {
      // Test ids: callback-key-A…, callback-key-space, callback-key-erase (the apostrophe as callback-key-apostrophe).
      const id = value === ' ' ? 'space' : value === "'" ? 'apostrophe' : value;
      const b = el('button', { type: 'button', textContent: label, dataset: { key: value, testid: `callback-key-${id}` } });
      if (wide) b.style.minWidth = '240px';
      return b;
    };
    const rows: HTMLElement[] =
      state.active === 'name'
        ? [...LETTERS[opts.language].map((r) => el('div', { className: 'vg-cb-row' }, ...[...r].map((c) => key(c, c)))), el('div', { className: 'vg-cb-row' }, key(t('callback.key.space'), ' ', true), key(t('callback.key.erase'), 'erase'))]
        : [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9'], ['0']].map((r, i) => el('div', { className: 'vg-cb-row' }, ...r.map((c) => key(c, c)), ...(i === 3 ? [key(t('callback.key.erase'), 'erase')] : [])));
    keys.replaceChildren(...rows);
  }

  function render(): void {
    nameBox.textContent = state.name || '\u00a0';
    phoneBox.textContent = formatPhone(state.phoneDigits) || '\u00a0';
    nameBox.setAttribute('aria-pressed', String(state.active === 'name'));
    phoneBox.setAttribute('aria-pressed', String(state.active === 'phone'));
    for (const b of windowButtons) b.setAttribute('aria-pressed', String(b.dataset.window === state.window));
    submit.disabled = state.busy;
    cancel.disabled = state.busy;
  }

  function press(value: string): void {
    if (state.active === 'name') {
      if (value === 'erase') state.name = state.name.slice(0, -1);
      else if (state.name.length < NAME_MAX && !(value === ' ' && (state.name === '' || state.name.endsWith(' ')))) {
        // Capitalise the first letter of each word, lower-case the rest: "MARIE-ÈVE" reads badly on a callback list.
        const startOfWord = state.name === '' || /[\s'-]$/.test(state.name);
        state.name += startOfWord ? value : value.toLocaleLowerCase(opts.language === 'fr' ? 'fr-CA' : 'en-CA');
      }
      nameError.textContent = '';
    } else {
      if (value === 'erase') state.phoneDigits = state.phoneDigits.slice(0, -1);
      else if (state.phoneDigits.length < PHONE_DIGITS_MAX) state.phoneDigits += value;
      phoneError.textContent = '';
    }
    formError.textContent = '';
    render();
  }

  function validate(): OutboxRecordInput<'callback'> | null {
    const name = state.name.trim();
    const phone = normalizeNaPhone(state.phoneDigits);
    nameError.textContent = name ? '' : t('callback.error.name');
    phoneError.textContent = phone ? '' : t('callback.error.phone');
    windowError.textContent = state.window ? '' : t('callback.error.window');
    if (!name || !phone || !state.window) return null;
    return { name, phone, timeWindow: state.window, service: opts.service, language: opts.language, ...(opts.reason ? { reason: opts.reason } : {}) };
  }

  async function send(): Promise<void> {
    const record = validate();
    if (!record || state.busy) return;
    state.busy = true;
    formError.textContent = t('callback.saving');
    render();
    let result: Result<unknown>;
    try {
      result = await opts.onSubmit(record);
    } catch (err) {
      result = { ok: false, error: { code: 'internal', message: String(err) } };
    }
    if (destroyed) return;
    state.busy = false;
    if (result.ok) {
      showSaved();
      return;
    }
    formError.textContent = result.error.code === 'outbox_full' ? t('callback.error.full', { tollFree: opts.tollFree ?? '1 877 644-4545' }) : t('callback.error.generic');
    render();
  }

  function showSaved(): void {
    // The typed data is dropped from memory and DOM as soon as it is saved.
    state.name = '';
    state.phoneDigits = '';
    const finish = el('button', { type: 'button', textContent: t('callback.finish'), dataset: { action: 'finish' } });
    container.replaceChildren(
      el('style', { textContent: STYLE }),
      el('h1', { textContent: t('callback.saved'), dataset: { saved: '' } }),
      el('p', { textContent: t('callback.saved.detail') }),
      el('div', { className: 'vg-cb-actions' }, finish),
    );
  }

  function onClick(ev: Event): void {
    const target = (ev.target as HTMLElement | null)?.closest<HTMLButtonElement>('button');
    if (!target || !container.contains(target) || target.disabled) return;
    const d = target.dataset;
    if (d.field === 'name' || d.field === 'phone') {
      state.active = d.field;
      renderKeys();
      render();
    } else if (d.key !== undefined) press(d.key);
    else if (d.window) {
      state.window = d.window as TimeWindow;
      windowError.textContent = '';
      render();
    } else if (d.action === 'submit') void send();
    else if (d.action === 'cancel') opts.onCancel();
    else if (d.action === 'finish') (opts.onDone ?? opts.onCancel)();
  }

  let destroyed = false;
  container.addEventListener('click', onClick);
  renderKeys();
  render();

  return {
    destroy() {
      destroyed = true;
      container.removeEventListener('click', onClick);
      state.name = '';
      state.phoneDigits = '';
      container.remove();
    },
  };
}
