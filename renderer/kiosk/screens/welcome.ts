// Before a visit: attract, closed, language choice. Nobody has chosen a language yet, so these
// screens show French first and English second.
import { formatPeriods, isAllDay, periodsOn } from '../../../common/hours';
import type { MessageKey } from '../../../common/i18n';
import { button, icon, p, screen } from '../components';
import { h } from '../dom';
import { callbackOffer } from './offer';
import type { ScreenProps } from './types';

/** "Aujourd'hui : 8 h 30 – 12 h et 13 h – 16 h 30" or "Fermé aujourd'hui". */
export function todayHours(props: ScreenProps, lang = props.lang): string {
  const periods = periodsOn(props.config.schedule, props.now());
  if (isAllDay(periods)) return props.tIn(lang, 'kiosk.attract.openAllDay');
  return periods.length ? props.tIn(lang, 'kiosk.attract.hours', { hours: formatPeriods(periods, lang) }) : props.tIn(lang, 'kiosk.attract.closedToday');
}

export function attract(props: ScreenProps) {
  const { config, tIn } = props;
  return screen(
    'attract',
    null,
    h(
      'button',
      { type: 'button', class: 'attract-start', 'data-testid': 'attract-start', on: { click: () => props.send({ type: 'touch' }) } },
      h('span', { class: 'office' }, config.office.fr),
      icon('touch', 'icon icon-hero'),
      h('span', { class: 'attract-call', lang: 'fr' }, tIn('fr', 'kiosk.attract.touch')),
      h('span', { class: 'attract-call-alt', lang: 'en' }, tIn('en', 'kiosk.attract.touch')),
      h('span', { class: 'hours', 'data-testid': 'attract-hours' }, todayHours(props, 'fr')),
    ),
  );
}

export function closed(props: ScreenProps) {
  const { config, tIn } = props;
  const rows = config.schedule.days.map((periods, day) =>
    h(
      'tr',
      null,
      h('th', { scope: 'row' }, tIn('fr', `kiosk.day.${day}` as MessageKey)),
      h('td', null, isAllDay(periods) ? tIn('fr', 'kiosk.day.allDay') : periods.length ? formatPeriods(periods, 'fr') : tIn('fr', 'kiosk.day.closed')),
    ),
  );
  // Monday first, as Québec calendars do.
  const week = [...rows.slice(1), rows[0]!];
  return screen(
    'closed',
    tIn('fr', 'kiosk.closed.title'),
    h('p', { class: 'subtitle', lang: 'en' }, tIn('en', 'kiosk.closed.title')),
    p(tIn('fr', 'kiosk.closed.body')),
    h('table', { class: 'schedule', 'data-testid': 'closed-schedule' }, h('caption', null, tIn('fr', 'kiosk.closed.schedule')), h('tbody', null, ...week)),
    h('p', { class: 'tollfree', 'data-testid': 'tollfree' }, icon('phone'), tIn('fr', 'kiosk.tollFree', { number: config.tollFree })),
    // The visit started from here asks the language, then the service, then shows the form.
    callbackOffer(props, 'fr', true),
    h('p', { class: 'office' }, config.office.fr),
  );
}

export function language(props: ScreenProps) {
  const { tIn, send } = props;
  return screen(
    'language',
    tIn('fr', 'kiosk.language.title'),
    h('p', { class: 'subtitle', lang: 'en' }, tIn('en', 'kiosk.language.title')),
    h(
      'div',
      { class: 'choices choices-2' },
      button({ testid: 'lang-fr', label: tIn('fr', 'lang.fr'), icon: 'language', variant: 'primary', attrs: { lang: 'fr' }, onClick: () => send({ type: 'lang.select', lang: 'fr' }) }),
      button({ testid: 'lang-en', label: tIn('en', 'lang.en'), icon: 'language', variant: 'primary', attrs: { lang: 'en' }, onClick: () => send({ type: 'lang.select', lang: 'en' }) }),
    ),
    h('div', { class: 'actions' }, button({
        testid: 'btn-back',
        label: tIn('fr', 'kiosk.action.quit'),
        icon: 'home',
        variant: 'quiet',
        extra: h('span', { class: 'btn-alt', lang: 'en' }, tIn('en', 'kiosk.action.quit')),
        onClick: () => send({ type: 'visit.back' }),
      })),
  );
}
