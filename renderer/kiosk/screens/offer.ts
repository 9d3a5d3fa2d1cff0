// The callback request inside the visit: the offer shown on the screens that send the
// citizen away without a call (callFailed, videoUnavailable, closed), the form screen itself
// (renderCallbackForm, mounted through a ref so the form keeps its own keyboard state), and the
// "Terminer l'appel ?" prompt shown over the call when the handset is hung up.
import type { Language } from '../../../common/config';
import { actions, button, icon, p, screen } from '../components';
import type { VNode } from '../dom';
import { h } from '../dom';
import { renderCallbackForm } from './callback';
import type { ScreenProps } from './types';

/**
 * "Laissez vos coordonnées…" when the outbox said it can take a request; a plain notice when it
 * is full or unreachable; nothing while the answer is pending (it takes a few milliseconds).
 */
export function callbackOffer(props: ScreenProps, lang: Language = props.lang, bilingual = false): VNode | null {
  const available = props.view.context.callbackAvailable;
  if (available === true) {
    return button({
      testid: 'offer-callback',
      label: props.tIn(lang, 'kiosk.callback.offer'),
      icon: 'phone',
      variant: 'primary',
      attrs: { lang },
      ...(bilingual ? { extra: h('span', { class: 'btn-alt', lang: 'en' }, props.tIn('en', 'kiosk.callback.offer')) } : {}),
      onClick: () => props.send({ type: 'callback.offer' }),
    });
  }
  if (available === false) {
    return h(
      'div',
      { role: 'status', 'data-testid': 'callback-unavailable' },
      h('p', { class: 'text', lang }, props.tIn(lang, 'kiosk.callback.unavailable')),
      bilingual ? h('p', { class: 'text', lang: 'en' }, props.tIn('en', 'kiosk.callback.unavailable')) : null,
    );
  }
  return null;
}

/**
 * The form (sub-state `form`) or the confirmation (sub-state `saved`, reached only once outbox.put
 * resolved ok, i.e. after the commit). Service and language come from the visit.
 */
export function callback(props: ScreenProps): VNode {
  const { t, view, lang, config, send } = props;
  const c = view.context;
  if (view.sub === 'saved') {
    return screen(
      'callback',
      t('callback.saved'),
      icon('check', 'icon icon-hero'),
      h('p', { class: 'text', role: 'status', 'data-testid': 'callback-saved' }, t('callback.saved.detail')),
      actions(button({ testid: 'callback-finish', label: t('callback.finish'), icon: 'home', variant: 'primary', onClick: () => send({ type: 'visit.done' }) })),
    );
  }
  return screen(
    'callback',
    null,
    h('div', {
      class: 'callback-form',
      'data-testid': 'callback-form',
      ref: (el) => {
        const handle = renderCallbackForm(el as HTMLElement, {
          t,
          language: lang,
          // Always set on these paths (a call was requested, or the closed path asked for it).
          service: c.serviceId ?? config.services[0]!.id,
          ...(c.callbackReason ? { reason: c.callbackReason } : {}),
          tollFree: config.tollFree,
          onSubmit: async (record) => {
            const result = await props.submitCallback(record);
            // The machine moves to `saved` (this form is then destroyed) only after the commit.
            if (result.ok) send({ type: 'callback.saved' });
            else if (result.error.code === 'outbox_full') send({ type: 'callback.availability', available: false });
            return result;
          },
          onCancel: () => send({ type: 'visit.back' }),
        });
        return () => handle.destroy();
      },
    }),
  );
}

/** "Terminer l'appel ?" over the call after the handset was hung up: Oui ends, Non (or no answer) goes on. */
export function hangupPrompt(props: ScreenProps): VNode {
  const { t, send } = props;
  return h(
    'div',
    { class: 'overlay', 'data-testid': 'screen-hangup', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'title-hangup' },
    h(
      'div',
      { class: 'dialog' },
      icon('hangup', 'icon icon-hero'),
      h('h1', { id: 'title-hangup', class: 'title' }, t('kiosk.hangup.title')),
      p(t('kiosk.hangup.body')),
      actions(
        button({ testid: 'hangup-cancel', label: t('kiosk.hangup.no'), icon: 'phone', variant: 'secondary', onClick: () => send({ type: 'hangup.cancel' }) }),
        button({ testid: 'hangup-confirm', label: t('kiosk.hangup.yes'), icon: 'hangup', variant: 'danger', onClick: () => send({ type: 'call.hangup' }) }),
      ),
    ),
  );
}
