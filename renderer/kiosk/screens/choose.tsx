// The citizen's choices: service, visit type, appointment code, consent (and its refusal).
import { useEffect, useState } from 'preact/hooks';
import { AppointmentCode as CodeSchema } from '../../../common/protocol';
import { Button, Keyboard, Pictogram, ScreenFrame, TextField } from '../ui';
import type { ScreenProps } from '../ui/context';
import { BackButton, HomeButton, TollFree } from './parts';
import { labelIn, todayHours } from './text';

export function Service(props: ScreenProps) {
  const { t, config, lang, send } = props;
  return (
    <ScreenFrame name="service" title={t('kiosk.service.title')} icon="info" actions={<BackButton {...props} />}>
      <div class="choices">
        {config.services.map((s) => (
          <Button key={s.id} testid={`service-${s.id}`} label={labelIn(s.label, lang)} icon={s.icon} variant="primary" onClick={() => send({ type: 'service.select', serviceId: s.id })} />
        ))}
      </div>
    </ScreenFrame>
  );
}

export function VisitType(props: ScreenProps) {
  const { t, send } = props;
  return (
    <ScreenFrame name="visitType" title={t('kiosk.visitType.title')} icon="calendar" actions={<BackButton {...props} />}>
      <div class="choices choices-2">
        <Button testid="visit-appointment" label={t('kiosk.visitType.appointment')} icon="calendar" variant="primary" onClick={() => send({ type: 'visit.appointment' })} />
        <Button testid="visit-walkin" label={t('kiosk.visitType.walkIn')} icon="walk" variant="primary" onClick={() => send({ type: 'visit.walkIn' })} />
      </div>
    </ScreenFrame>
  );
}

const MAX_CODE = 12;

/**
 * The appointment code: typed on the code keyboard, or read by the scanner (the machine keeps the
 * scanned code in its context; a valid one skips this screen, an invalid one lands here prefilled,
 * and the screen says it was read from the notice).
 */
export function AppointmentCode(props: ScreenProps) {
  const { t, send, view, lang } = props;
  const scanned = view.context.scannedCode;
  const [code, setCode] = useState(scanned ?? '');
  // A new scan while on this screen replaces the draft (once per scan).
  useEffect(() => {
    if (scanned) setCode(scanned);
  }, [scanned]);
  const valid = CodeSchema.safeParse(code).success;
  const type = (ch: string) => setCode((c) => (c.length < MAX_CODE && /^[A-Z0-9]$/.test(ch.toUpperCase()) ? c + ch.toUpperCase() : c));
  const erase = () => setCode((c) => c.slice(0, -1));
  return (
    <ScreenFrame
      name="appointmentCode"
      title={t('kiosk.code.title')}
      icon="calendar"
      actions={
        <>
          <BackButton {...props} />
          <Button testid="code-submit" label={t('kiosk.code.submit')} icon="check" variant="primary" disabled={!valid} onClick={() => send({ type: 'code.submit', code })} />
        </>
      }
    >
      <p class="text">{t('kiosk.code.hint')}</p>
      {/* The scanner is announced: what it read (live region), or that it can be used. */}
      <p class="text scan-note" role="status" aria-live="polite" data-testid="code-scanned" data-scanned={scanned ?? ''}>
        <Pictogram name="scan" />
        {scanned ? t('kiosk.code.scanned', { code: scanned }) : t('kiosk.code.scanHint')}
      </p>
      <TextField id="code-field" testid="code-display" class="code-display" label={t('kiosk.code.entered')} value={code} active onKey={type} onErase={erase} />
      {view.context.codeError ? (
        <p class="error" role="alert" data-testid="code-error">
          {t('kiosk.code.error')}
        </p>
      ) : null}
      <Keyboard variant="code" lang={lang} testidPrefix="key" label={t('kiosk.code.title')} spaceLabel={t('kiosk.keyboard.space')} eraseLabel={t('kiosk.code.erase')} onKey={type} onErase={erase} />
    </ScreenFrame>
  );
}

export function Consent(props: ScreenProps) {
  const { t, config, lang, view, send } = props;
  const svc = config.services.find((s) => s.id === view.context.serviceId);
  return (
    <ScreenFrame
      name="consent"
      title={t('kiosk.consent.title')}
      icon="camera"
      actions={
        <>
          <BackButton {...props} />
          <Button testid="consent-refuse" label={t('kiosk.consent.refuse')} icon="cross" variant="secondary" onClick={() => send({ type: 'consent.refuse' })} />
          <Button testid="consent-audio-only" label={t('kiosk.consent.audioOnly')} icon="mic" variant="secondary" onClick={() => send({ type: 'consent.accept', audioOnly: true })} />
          <Button testid="consent-accept" label={t('kiosk.consent.accept')} icon="check" variant="primary" onClick={() => send({ type: 'consent.accept' })} />
        </>
      }
    >
      <ul class="consent-points">
        <li>
          <Pictogram name="camera" />
          {t('kiosk.consent.live')}
        </li>
        <li>
          <Pictogram name="cross" />
          {t('kiosk.consent.noRecording')}
        </li>
        <li>
          <Pictogram name="info" />
          {t('kiosk.consent.who', { service: svc ? labelIn(svc.label, lang) : '' })}
        </li>
        <li>
          <Pictogram name="clock" />
          {t('kiosk.consent.retention', { days: config.retentionDays })}
        </li>
      </ul>
      <p class="question">{t('kiosk.consent.question')}</p>
    </ScreenFrame>
  );
}

export function Declined(props: ScreenProps) {
  const { t, lang } = props;
  return (
    <ScreenFrame name="declined" title={t('kiosk.declined.title')} icon="phone" actions={<HomeButton {...props} />}>
      <p class="text">{t('kiosk.declined.body')}</p>
      <TollFree {...props} />
      <p class="hours">{todayHours(props, lang)}</p>
    </ScreenFrame>
  );
}
