// Texts the screens compute from configuration (hours, service names): pure functions of the props.
import type { Language } from '../../../common/config';
import { formatPeriods, formatTime, isAllDay, nextOpening, periodsOn } from '../../../common/hours';
import type { MessageKey } from '../../../common/i18n';
import type { ScreenProps, VisitLanguage } from '../ui/context';

/** Hours are written in French or English style; other languages read the English style. */
const hoursStyle = (lang: string): Language => (lang === 'fr' ? 'fr' : 'en');

/** "Aujourd'hui : 8 h 30 – 12 h et 13 h – 16 h 30" or "Fermé aujourd'hui". */
export function todayHours(props: Pick<ScreenProps, 'config' | 'now' | 'tIn'>, lang: VisitLanguage): string {
  const periods = periodsOn(props.config.schedule, props.now());
  if (isAllDay(periods)) return props.tIn(lang, 'kiosk.attract.openAllDay');
  return periods.length ? props.tIn(lang, 'kiosk.attract.hours', { hours: formatPeriods(periods, hoursStyle(lang)) }) : props.tIn(lang, 'kiosk.attract.closedToday');
}

/** "Prochaine ouverture : lundi à 8 h 30" (null when the schedule never opens). */
export function nextOpeningText(props: Pick<ScreenProps, 'config' | 'now' | 'tIn'>, lang: VisitLanguage): string | null {
  const next = nextOpening(props.config.schedule, props.now());
  if (!next) return null;
  const time = formatTime(next.open, hoursStyle(lang));
  if (next.daysAhead === 0) return props.tIn(lang, 'kiosk.closed.nextToday', { time });
  if (next.daysAhead === 1) return props.tIn(lang, 'kiosk.closed.nextTomorrow', { time });
  const day = props.tIn(lang, `kiosk.day.${next.day}` as MessageKey);
  // French writes weekdays in lower case inside a sentence.
  return props.tIn(lang, 'kiosk.closed.nextDay', { day: lang === 'fr' ? day.toLocaleLowerCase('fr-CA') : day, time });
}

/** A configured label in the visit's language, French when that language has none. */
export const labelIn = (label: { fr: string }, lang: string): string => (label as Record<string, string | undefined>)[lang] ?? label.fr;
