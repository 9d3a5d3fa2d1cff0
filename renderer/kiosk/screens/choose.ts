// The citizen's choices: service, visit type, appointment code, consent (and its refusal).
import { AppointmentCode } from '../../../common/protocol';
import { actions, button, icon, p, screen } from '../components';
import { h } from '../dom';
import type { ScreenProps } from './types';
import { todayHours } from './welcome';

const back = (props: ScreenProps) =>
  button({ testid: 'btn-back', label: props.t('action.back'), icon: 'back', variant: 'quiet', onClick: () => props.send({ type: 'visit.back' }) });

export function service(props: ScreenProps) {
  const { t, config, lang, send } = props;
  return screen(
    'service',
    t('kiosk.service.title'),
    h(
      'div',
      { class: 'choices' },
      ...config.services.map((s) =>
        button({ testid: `service-${s.id}`, label: s.label[lang], icon: s.icon, variant: 'primary', onClick: () => send({ type: 'service.select', serviceId: s.id }) }),
      ),
    ),
    actions(back(props)),
  );
}

export function visitType(props: ScreenProps) {
  const { t, send } = props;
  return screen(
    'visitType',
    t('kiosk.visitType.title'),
    h(
      'div',
      { class: 'choices choices-2' },
      button({ testid: 'visit-appointment', label: t('kiosk.visitType.appointment'), icon: 'calendar', variant: 'primary', onClick: () => send({ type: 'visit.appointment' }) }),
      button({ testid: 'visit-walkin', label: t('kiosk.visitType.walkIn'), icon: 'walk', variant: 'primary', onClick: () => send({ type: 'visit.walkIn' }) }),
    ),
    actions(back(props)),
  );
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const MAX_CODE = 12;

export function appointmentCode(props: ScreenProps) {
  const { t, ui, send, refresh, view } = props;
  const press = (k: string) => {
    if (ui.code.length < MAX_CODE) ui.code += k;
    refresh();
  };
  const keys = (ui.codeMode === 'digits' ? DIGITS : LETTERS).map((k) =>
    h('button', { type: 'button', class: 'key', 'data-testid': `key-${k}`, on: { click: () => press(k) } }, k),
  );
  const valid = AppointmentCode.safeParse(ui.code).success;
  return screen(
    'appointmentCode',
    t('kiosk.code.title'),
    p(t('kiosk.code.hint')),
    h('output', { class: 'code-display', 'data-testid': 'code-display', 'aria-live': 'polite', 'aria-label': t('kiosk.code.entered') }, ui.code || '\u00a0'),
    view.context.codeError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'code-error' }, t('kiosk.code.error')) : null,
    h('div', { class: `keypad keypad-${ui.codeMode}`, role: 'group', 'aria-label': t('kiosk.code.title') }, ...keys),
    h(
      'div',
      { class: 'keypad-tools' },
      button({
        testid: 'key-mode',
        label: ui.codeMode === 'digits' ? t('kiosk.code.letters') : t('kiosk.code.digits'),
        onClick: () => {
          ui.codeMode = ui.codeMode === 'digits' ? 'letters' : 'digits';
          refresh();
        },
      }),
      button({
        testid: 'key-erase',
        label: t('kiosk.code.erase'),
        icon: 'erase',
        onClick: () => {
          ui.code = ui.code.slice(0, -1);
          refresh();
        },
      }),
    ),
    actions(
      back(props),
      button({
        testid: 'code-submit',
        label: t('kiosk.code.submit'),
        icon: 'check',
        variant: 'primary',
        attrs: { disabled: !valid },
        onClick: () => send({ type: 'code.submit', code: ui.code }),
      }),
    ),
  );
}

export function consent(props: ScreenProps) {
  const { t, config, lang, view, send } = props;
  const svc = config.services.find((s) => s.id === view.context.serviceId);
  return screen(
    'consent',
    t('kiosk.consent.title'),
    h(
      'ul',
      { class: 'consent-points' },
      h('li', null, icon('camera'), t('kiosk.consent.live')),
      h('li', null, icon('cross'), t('kiosk.consent.noRecording')),
      h('li', null, icon('info'), t('kiosk.consent.who', { service: svc ? svc.label[lang] : '' })),
      h('li', null, icon('clock'), t('kiosk.consent.retention', { days: config.retentionDays })),
    ),
    h('p', { class: 'question' }, t('kiosk.consent.question')),
    actions(
      back(props),
      button({ testid: 'consent-refuse', label: t('kiosk.consent.refuse'), icon: 'cross', variant: 'secondary', onClick: () => send({ type: 'consent.refuse' }) }),
      button({ testid: 'consent-accept', label: t('kiosk.consent.accept'), icon: 'check', variant: 'primary', onClick: () => send({ type: 'consent.accept' }) }),
    ),
  );
}

/** Toll-free number line, shared by every screen that sends the citizen to the phone. */
export const tollFree = (props: ScreenProps) =>
  h('p', { class: 'tollfree', 'data-testid': 'tollfree' }, icon('phone'), props.t('kiosk.tollFree', { number: props.config.tollFree }));

export const homeButton = (props: ScreenProps) =>
  button({ testid: 'btn-home', label: props.t('kiosk.action.home'), icon: 'home', variant: 'secondary', onClick: () => props.send({ type: 'visit.done' }) });

export function declined(props: ScreenProps) {
  const { t } = props;
  return screen('declined', t('kiosk.declined.title'), p(t('kiosk.declined.body')), tollFree(props), p(todayHours(props), 'hours'), actions(homeButton(props)));
}
