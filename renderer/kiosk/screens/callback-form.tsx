// The citizen's callback-request form: name (text keyboard), phone (phone keypad, North-American
// validation), preferred time window. "Votre demande est enregistrée" appears only once onSubmit
// resolved ok — i.e. after the outbox committed — so the booth never claims to have saved something
// it has not. Works offline: the outbox is local. What is typed lives in this component's state only:
// unmounting it (the visit's reset) drops it.
//
// Layout: title, then the fields beside the keyboard (landscape) or above it (portrait) in a part
// that scrolls if the screen is short, then the actions, always visible at the bottom.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageKey } from '../../../common/i18n/index';
import type { CallbackReason } from '../../../common/outbox';
import { normalizeNaPhone, type OutboxRecordInput, type TimeWindow } from '../../../common/outbox';
import type { Result } from '../../../common/result';
import { Keyboard } from '../ui/keyboard';
import { TextField } from '../ui/text-field';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export interface CallbackFormProps {
  /** Translator for the citizen's language. */
  t: Translate;
  /** The citizen's language, stored with the request (the agent calls back in it, with an interpreter if needed); also the keyboard's layout. */
  language: OutboxRecordInput<'callback'>['language'];
  /** Service id the citizen picked. */
  service: string;
  /** Why the callback is offered (shown above the form and stored with the request). */
  reason?: CallbackReason;
  /** Toll-free number shown when the outbox is full. */
  tollFree?: string;
  /** Stores the request; must resolve only after the commit. */
  onSubmit: (record: OutboxRecordInput<'callback'>) => Promise<Result<unknown>>;
  /** The citizen gave up (back / cancel). */
  onCancel: () => void;
  /** The citizen tapped "Terminer" on the confirmation (defaults to onCancel). */
  onDone?: () => void;
}

const WINDOWS: readonly TimeWindow[] = ['morning', 'afternoon', 'any'];
const NAME_MAX = 80;
const PHONE_DIGITS_MAX = 11;

/** "514 555-0199", "1 514 555-0199" while typing. */
export function formatPhone(d: string): string {
  const local = d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
  const prefix = local === d ? '' : '1 ';
  if (local.length <= 3) return prefix + local;
  if (local.length <= 6) return `${prefix}${local.slice(0, 3)} ${local.slice(3)}`;
  return `${prefix}${local.slice(0, 3)} ${local.slice(3, 6)}-${local.slice(6)}`;
}

/** Adds a typed character to a name: capital at the start of each word, lower case after ("MARIE-ÈVE" reads badly on a list). */
export function typeIntoName(name: string, ch: string, lang: string): string {
  if (name.length >= NAME_MAX) return name;
  if (ch === ' ' && (name === '' || name.endsWith(' '))) return name;
  const startOfWord = name === '' || /[\s'-]$/.test(name);
  return name + (startOfWord ? ch.toLocaleUpperCase(lang === 'fr' ? 'fr-CA' : 'en-CA') : ch.toLocaleLowerCase(lang === 'fr' ? 'fr-CA' : 'en-CA'));
}

interface Errors {
  name?: string;
  phone?: string;
  window?: string;
  form?: string;
}

export function CallbackForm(p: CallbackFormProps) {
  const { t } = p;
  const [name, setName] = useState('');
  const [digits, setDigits] = useState('');
  const [win, setWin] = useState<TimeWindow | null>(null);
  const [active, setActive] = useState<'name' | 'phone'>('name');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const type = (field: 'name' | 'phone', ch: string) => {
    if (busy) return;
    if (field === 'name') setName((n) => typeIntoName(n, ch, p.language));
    else if (/^\d$/.test(ch)) setDigits((d) => (d.length < PHONE_DIGITS_MAX ? d + ch : d));
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }));
  };
  const erase = (field: 'name' | 'phone') => {
    if (busy) return;
    if (field === 'name') setName((n) => n.slice(0, -1));
    else setDigits((d) => d.slice(0, -1));
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }));
  };

  const submit = async () => {
    if (busy) return;
    const trimmed = name.trim();
    const phone = normalizeNaPhone(digits);
    const found: Errors = {
      ...(trimmed ? {} : { name: t('callback.error.name') }),
      ...(phone ? {} : { phone: t('callback.error.phone') }),
      ...(win ? {} : { window: t('callback.error.window') }),
    };
    if (!trimmed || !phone || !win) {
      setErrors(found);
      return;
    }
    const record: OutboxRecordInput<'callback'> = { name: trimmed, phone, timeWindow: win, service: p.service, language: p.language, ...(p.reason ? { reason: p.reason } : {}) };
    setBusy(true);
    setErrors({ form: t('callback.saving') });
    let result: Result<unknown>;
    try {
      result = await p.onSubmit(record);
    } catch (err) {
      result = { ok: false, error: { code: 'internal', message: String(err) } };
    }
    if (!alive.current) return;
    setBusy(false);
    if (result.ok) {
      // The typed data is dropped from memory and DOM as soon as it is saved.
      setName('');
      setDigits('');
      setSaved(true);
      return;
    }
    setErrors({ form: result.error.code === 'outbox_full' ? t('callback.error.full', { tollFree: p.tollFree ?? '1 877 644-4545' }) : t('callback.error.generic') });
  };

  if (saved) {
    return (
      <section class="vg-cb vg-cb-saved" data-screen="callback">
        <h1 class="title" data-saved="">
          {t('callback.saved')}
        </h1>
        <p class="text">{t('callback.saved.detail')}</p>
        <div class="actions">
          <button type="button" class="btn btn-primary" data-action="finish" onClick={() => (p.onDone ?? p.onCancel)()}>
            <span class="btn-label">{t('callback.finish')}</span>
          </button>
        </div>
      </section>
    );
  }

  return (
    <section class="vg-cb" data-screen="callback" data-testid="callback-form" aria-labelledby="cb-title">
      <h1 class="title" id="cb-title">
        {t('callback.title')}
      </h1>
      {p.reason ? <p class="text vg-cb-reason">{t(`callback.reason.${p.reason}`)}</p> : null}
      <div class="vg-cb-main">
        <div class="vg-cb-fields">
          <TextField
            id="cb-name"
            testid="callback-name"
            label={t('callback.name.label')}
            value={name}
            active={active === 'name'}
            onActivate={() => setActive('name')}
            onKey={(ch) => type('name', ch)}
            onErase={() => erase('name')}
            {...(errors.name ? { error: errors.name } : {})}
            attrs={{ 'data-field': 'name' }}
          />
          <TextField
            id="cb-phone"
            testid="callback-phone"
            label={t('callback.phone.label')}
            hint={t('callback.phone.hint')}
            value={formatPhone(digits)}
            active={active === 'phone'}
            onActivate={() => setActive('phone')}
            onKey={(ch) => type('phone', ch)}
            onErase={() => erase('phone')}
            {...(errors.phone ? { error: errors.phone } : {})}
            attrs={{ 'data-field': 'phone' }}
          />
          <div class="field" role="group" aria-labelledby="cb-window-label">
            <span class="field-label" id="cb-window-label">
              {t('callback.window.label')}
            </span>
            <div class="vg-cb-windows">
              {WINDOWS.map((w) => (
                <button
                  key={w}
                  type="button"
                  class={`btn ${win === w ? 'btn-primary' : 'btn-secondary'}`}
                  data-window={w}
                  data-testid={`callback-window-${w}`}
                  aria-pressed={win === w ? 'true' : 'false'}
                  onClick={() => {
                    setWin(w);
                    setErrors((e) => ({ ...e, window: undefined }));
                  }}
                >
                  <span class="btn-label">{t(`callback.window.${w}`)}</span>
                </button>
              ))}
            </div>
            <div class="field-error" data-error="window" aria-live="polite">
              {errors.window ?? ''}
            </div>
          </div>
          <p class="vg-cb-privacy">{t('callback.privacy')}</p>
        </div>
        <Keyboard
          variant={active === 'name' ? 'text' : 'phone'}
          lang={p.language}
          testidPrefix="callback-key"
          label={active === 'name' ? t('callback.name.label') : t('callback.phone.label')}
          punctuation="-'"
          spaceLabel={t('callback.key.space')}
          eraseLabel={t('callback.key.erase')}
          disabled={busy}
          onKey={(ch) => type(active, ch)}
          onErase={() => erase(active)}
        />
      </div>
      <div class="field-error vg-cb-error" role="alert" data-error="form" data-testid="callback-error">
        {errors.form ?? ''}
      </div>
      <div class="actions">
        <button type="button" class="btn btn-secondary" data-action="cancel" data-testid="callback-cancel" disabled={busy} onClick={() => p.onCancel()}>
          <span class="btn-label">{t('action.cancel')}</span>
        </button>
        <button type="button" class="btn btn-primary" data-action="submit" data-testid="callback-submit" disabled={busy} onClick={() => void submit()}>
          <span class="btn-label">{t('callback.submit')}</span>
        </button>
      </div>
    </section>
  );
}
