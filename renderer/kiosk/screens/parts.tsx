// Small pieces several screens share.
import { Button, Pictogram } from '../ui';
import type { ScreenProps } from '../ui/context';

/** Toll-free number line, on every screen that sends the citizen to the phone. */
export const TollFree = (props: Pick<ScreenProps, 't' | 'config'>) => (
  <p class="tollfree" data-testid="tollfree">
    <Pictogram name="phone" />
    {props.t('kiosk.tollFree', { number: props.config.tollFree })}
  </p>
);

export const HomeButton = (props: Pick<ScreenProps, 't' | 'send'>) => (
  <Button testid="btn-home" label={props.t('kiosk.action.home')} icon="home" variant="secondary" onClick={() => props.send({ type: 'visit.done' })} />
);

export const BackButton = (props: Pick<ScreenProps, 't' | 'send'>) => (
  <Button testid="btn-back" label={props.t('action.back')} icon="back" variant="quiet" onClick={() => props.send({ type: 'visit.back' })} />
);

export const CancelButton = (props: Pick<ScreenProps, 't' | 'send'>) => (
  <Button testid="btn-cancel" label={props.t('action.cancel')} icon="cross" variant="secondary" onClick={() => props.send({ type: 'visit.cancel' })} />
);
