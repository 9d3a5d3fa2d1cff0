// After the call: survey, thank-you with what to take away; and the idle prompt that can cover any
// visit screen.
import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from '../../../common/i18n';
import { Button, Keyboard, Pictogram, QrCode, ScreenFrame, TextField, TopBar } from '../ui';
import type { ScreenProps } from '../ui/context';
import { HomeButton } from './parts';

const MAX_COMMENT = 500;

export function Survey(props: ScreenProps) {
  const { t, send, lang } = props;
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const type = (ch: string) => setComment((c) => (c.length < MAX_COMMENT ? c + ch.toLocaleLowerCase(lang) : c));
  const erase = () => setComment((c) => c.slice(0, -1));
  return (
    <ScreenFrame
      name="survey"
      title={t('kiosk.survey.title')}
      icon="face-4"
      actions={
        <>
          <Button testid="survey-skip" label={t('kiosk.survey.skip')} icon="skip" variant="quiet" onClick={() => send({ type: 'survey.skip' })} />
          <Button
            testid="survey-submit"
            label={t('kiosk.survey.submit')}
            icon="send"
            variant="primary"
            disabled={rating === null}
            onClick={() => rating !== null && send({ type: 'survey.submit', rating, comment: comment.trim() })}
          />
        </>
      }
    >
      <div class="faces" role="group" aria-label={t('kiosk.survey.title')}>
        {[1, 2, 3, 4, 5].map((r) => (
          <Button key={r} testid={`survey-rating-${r}`} label={t(`kiosk.survey.rating.${r}` as MessageKey)} icon={`face-${r}`} variant={rating === r ? 'primary' : 'secondary'} pressed={rating === r} onClick={() => setRating(r)} />
        ))}
      </div>
      <TextField id="survey-comment" testid="survey-comment" class="comment" label={t('kiosk.survey.comment')} value={comment} active multiline onKey={type} onErase={erase} />
      <Keyboard variant="text" lang={lang} testidPrefix="kbd" label={t('kiosk.survey.comment')} punctuation={".,'!?-"} spaceLabel={t('kiosk.keyboard.space')} eraseLabel={t('kiosk.keyboard.erase')} onKey={type} onErase={erase} />
    </ScreenFrame>
  );
}

/**
 * What the citizen takes away: the reference number (after a call or a callback request) and the
 * complaint page and the service's page as QR codes, drawn here (no network).
 */
export function TakeAway(props: ScreenProps) {
  const { t, config, visit } = props;
  const reference = visit.reference.value;
  return (
    <div class="takeaway" data-testid="takeaway">
      {reference ? (
        <div class="reference" role="group" aria-labelledby="ref-label">
          <p class="text" id="ref-label">
            {t('kiosk.takeaway.reference')}
          </p>
          <p class="ref-number" data-testid="reference-number">
            {reference}
          </p>
          <p class="text">{t('kiosk.takeaway.referenceHint')}</p>
        </div>
      ) : null}
      <div class="qr-codes">
        <QrCode testid="qr-complaint" value={config.complaintUrl} caption={t('kiosk.takeaway.complaint')} />
        <QrCode testid="qr-service" value={config.serviceUrl} caption={t('kiosk.takeaway.service')} />
      </div>
      <p class="text">
        <Pictogram name="qr" />
        {t('kiosk.takeaway.scan')}
      </p>
    </div>
  );
}

export function Thanks(props: ScreenProps) {
  const { t, config } = props;
  return (
    <ScreenFrame name="thanks" title={t('kiosk.thanks.title')} icon="check" actions={<HomeButton {...props} />}>
      <p class="text" data-testid="complaint">
        {t('kiosk.thanks.complaint', { url: config.complaintUrl, phone: config.tollFree })}
      </p>
      <TakeAway {...props} />
    </ScreenFrame>
  );
}

/** "Êtes-vous encore là ?" over the current screen, with a live countdown. */
export function IdlePrompt(props: ScreenProps) {
  const { t, config, send, monotonic, view } = props;
  // Over the waiting line the prompt never sends the citizen away: no countdown, the place is kept.
  const keepsPlace = view.idleKeepsPlace === true;
  const total = config.timers.idleCountdownMs;
  const [shownAt] = useState(() => monotonic());
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(timer);
  }, []);
  const remaining = Math.max(0, Math.ceil((total - (monotonic() - shownAt)) / 1000));
  return (
    <div class="overlay" data-testid="screen-idle" role="alertdialog" aria-modal="true" aria-labelledby="title-idle">
      <div class="dialog">
        <TopBar />
        <Pictogram name="clock" class="icon icon-hero" />
        <h1 id="title-idle" class="title">
          {t('kiosk.idle.title')}
        </h1>
        {keepsPlace ? (
          <p class="text" data-testid="idle-keeps-place">
            {t('kiosk.idle.keepsPlace')}
          </p>
        ) : (
          <p class="big" data-testid="idle-countdown" aria-live="polite">
            {t('kiosk.idle.countdown', { seconds: remaining })}
          </p>
        )}
        <div class="actions">
          <Button testid="idle-leave" label={t('kiosk.idle.leave')} icon="home" variant="secondary" onClick={() => send({ type: 'visit.cancel' })} />
          <Button testid="idle-stay" label={t('kiosk.idle.stay')} icon="check" variant="primary" onClick={() => send({ type: 'idle.stillHere' })} />
        </div>
      </div>
    </div>
  );
}
