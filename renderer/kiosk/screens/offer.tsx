// The callback request inside the visit: the offer shown on the screens that send the citizen away
// without a call (callFailed, videoUnavailable, closed), the form screen itself, and the "Terminer
// l'appel ?" prompt shown over the call when the handset is hung up.
import { referenceOf } from '../../../common/reference';
import { Button, Pictogram, ScreenFrame } from '../ui';
import type { ScreenProps, VisitLanguage } from '../ui/context';
import { CallbackForm } from './callback-form';
import { TakeAway } from './end';

/**
 * "Laissez vos coordonnées…" when the outbox said it can take a request; a plain notice when it
 * is full or unreachable; nothing while the answer is pending (it takes a few milliseconds).
 */
export function CallbackOffer(props: ScreenProps & { lang: VisitLanguage }) {
  const lang = props.lang;
  const available = props.view.context.callbackAvailable;
  if (available === true) {
    return <Button testid="offer-callback" label={props.tIn(lang, 'kiosk.callback.offer')} icon="phone" variant="primary" lang={lang} onClick={() => props.send({ type: 'callback.offer' })} />;
  }
  if (available === false) {
    return (
      <div role="status" data-testid="callback-unavailable">
        <p class="text" lang={lang}>
          {props.tIn(lang, 'kiosk.callback.unavailable')}
        </p>
      </div>
    );
  }
  return null;
}

/**
 * The form (sub-state `form`) or the confirmation (sub-state `saved`, reached only once outbox.put
 * resolved ok, i.e. after the commit). Service and language come from the visit.
 */
export function Callback(props: ScreenProps) {
  const { t, view, lang, config, send, visit } = props;
  const c = view.context;
  if (view.sub === 'saved') {
    return (
      <ScreenFrame
        name="callback"
        title={t('callback.saved')}
        icon="check"
        actions={<Button testid="callback-finish" label={t('callback.finish')} icon="home" variant="primary" onClick={() => send({ type: 'visit.done' })} />}
      >
        <p class="text" role="status" data-testid="callback-saved">
          {t('callback.saved.detail')}
        </p>
        <TakeAway {...props} />
      </ScreenFrame>
    );
  }
  return (
    <ScreenFrame name="callback" class="screen-form" icon="phone">
      <CallbackForm
        t={t}
        language={lang}
        // Always set on these paths (a call was requested, or the closed path asked for it).
        service={c.serviceId ?? config.services[0]!.id}
        {...(c.callbackReason ? { reason: c.callbackReason } : {})}
        tollFree={config.tollFree}
        onSubmit={async (record) => {
          const result = await props.submitCallback(record);
          if (result.ok) {
            // The reference is derived from the outbox record's id: the agent's list can find it.
            visit.reference.value = referenceOf(result.value.id);
            // The machine moves to `saved` (this form is then destroyed) only after the commit.
            send({ type: 'callback.saved' });
          } else if (result.error.code === 'outbox_full') send({ type: 'callback.availability', available: false });
          return result;
        }}
        onCancel={() => send({ type: 'visit.back' })}
      />
    </ScreenFrame>
  );
}

/** "Terminer l'appel ?" over the call after the handset was hung up: Oui ends, Non (or no answer) goes on. */
export function HangupPrompt(props: ScreenProps) {
  const { t, send } = props;
  return (
    <div class="overlay" data-testid="screen-hangup" role="alertdialog" aria-modal="true" aria-labelledby="title-hangup">
      <div class="dialog">
        <Pictogram name="hangup" class="icon icon-hero" />
        <h1 id="title-hangup" class="title">
          {t('kiosk.hangup.title')}
        </h1>
        <p class="text">{t('kiosk.hangup.body')}</p>
        <div class="actions">
          <Button testid="hangup-cancel" label={t('kiosk.hangup.no')} icon="phone" variant="secondary" onClick={() => send({ type: 'hangup.cancel' })} />
          <Button testid="hangup-confirm" label={t('kiosk.hangup.yes')} icon="hangup" variant="danger" onClick={() => send({ type: 'call.hangup' })} />
        </div>
      </div>
    </div>
  );
}
