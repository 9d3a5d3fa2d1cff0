// Texts the screens compute from configuration (hours, service names): pure functions of the props.
import { formatPeriods, formatTime, isAllDay, nextOpening, periodsOn } from '../../../common/hours';
import type { MessageKey } from '../../../common/i18n';
import type { ScreenProps, VisitLanguage } from '../ui/context';

/** "Aujourd'hui : 8 h 30 – 12 h et 13 h – 16 h 30" or "Fermé aujourd'hui". */
export function todayHours(props: Pick<ScreenProps, 'config' | 'now' | 'tIn'>, lang: VisitLanguage): string {
  const periods = periodsOn(props.config.schedule, props.now());
  if (isAllDay(periods)) return props.tIn(lang, 'kiosk.attract.openAllDay');
  return periods.length ? props.tIn(lang, 'kiosk.attract.hours', { hours: formatPeriods(periods, lang) }) : props.tIn(lang, 'kiosk.attract.closedToday');
}

/** "Prochaine ouverture : lundi à 8 h 30" (null when the schedule never opens). */
export function nextOpeningText(props: Pick<ScreenProps, 'config' | 'now' | 'tIn'>, lang: VisitLanguage): string | null {
  const next = nextOpening(props.config.schedule, props.now());
  if (!next) return null;
  const time = formatTime(next.open, lang);
  if (next.daysAhead === 0) return props.tIn(lang, 'kiosk.closed.nextToday', { time });
  if (next.daysAhead === 1) return props.tIn(lang, 'kiosk.closed.nextTomorrow', { time });
  const day = props.tIn(lang, `kiosk.day.${next.day}` as MessageKey);
  // French writes weekdays in lower case inside a sentence.
  return props.tIn(lang, 'kiosk.closed.nextDay', { day: lang === 'fr' ? day.toLocaleLowerCase('fr-CA') : day, time });
}

export { textIn as labelIn } from '../../../common/i18n';
