import type { Period, UiLanguage, WeeklySchedule } from './config';
import { uiLanguage } from './i18n/languages';
import { holidayOn } from './holidays';

// Creating an Intl.DateTimeFormat costs far more than using one (the kiosk asks on every touch).
const formats = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock day and minute of `date` in the schedule's time zone (offices follow local time). */
export function localTime(date: Date, timeZone: string): { day: number; minutes: number } {
  let format = formats.get(timeZone);
  if (!format) formats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = format.formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Today's opening periods in the schedule's zone. */
export function periodsOn(schedule: WeeklySchedule, date: Date): Period[] {
  return schedule.days[localTime(date, schedule.timeZone).day] ?? [];
}

/** Is the office open at `date`? */
export function isOpen(schedule: WeeklySchedule, date: Date): boolean {
  if (schedule.holidays && holidayOn(schedule.holidays, date, schedule.timeZone) !== null) return false;
  const { day, minutes } = localTime(date, schedule.timeZone);
  return (schedule.days[day] ?? []).some((p) => minutes >= toMinutes(p.open) && minutes < toMinutes(p.close));
}

/** True when the periods cover the whole day (00:00–24:00): shown as "open all day", not as times. */
export function isAllDay(periods: readonly Period[]): boolean {
  return periods.some((p) => p.open === '00:00' && p.close === '24:00');
}

/**
 * "8 h 30 – 12 h" style (Québec typography), "8:30 AM" style for English, 24-hour "13:30" for the other
 * languages (what Spanish, Arabic and Chinese readers expect on an official notice); 24:00 is midnight.
 */
export function formatTime(hhmm: string, lang: UiLanguage): string {
  const h = Number(hhmm.slice(0, 2));
  const m = hhmm.slice(3, 5);
  if (lang === 'fr') return m === '00' ? `${h} h` : `${h} h ${m}`;
  if (lang !== 'en') return `${h}:${m}`; // a closing 24:00 stays 24:00 (end of the day, not the next midnight)
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${m} ${h < 12 || h === 24 ? 'AM' : 'PM'}`;
}

/** Today's periods as one phrase, joined by the language's "and" ("8 h 30 – 12 h et 13 h – 16 h 30"). */
export function formatPeriods(periods: Period[], lang: UiLanguage): string {
  const ranges = periods.map((p) => `${formatTime(p.open, lang)} – ${formatTime(p.close, lang)}`);
  if (lang === 'fr' || lang === 'en') return ranges.join(lang === 'fr' ? ' et ' : ' and ');
  return new Intl.ListFormat(uiLanguage(lang).intlLocale, { type: 'conjunction' }).format(ranges);
}

/** The next time the office opens after `date` (within a week), or null when the schedule has no opening at all. */
export function nextOpening(schedule: WeeklySchedule, date: Date): { daysAhead: number; day: number; open: string } | null {
  const { day, minutes } = localTime(date, schedule.timeZone);
  for (let ahead = 0; ahead <= 14; ahead++) {
    const d = (day + ahead) % 7;
    // A holiday opens at no time (the same clock time `ahead` days later names that calendar day).
    if (schedule.holidays && holidayOn(schedule.holidays, new Date(date.getTime() + ahead * 86_400_000), schedule.timeZone) !== null) continue;
    const opens = (schedule.days[d] ?? []).map((p) => p.open).sort();
    const next = ahead === 0 ? opens.find((o) => toMinutes(o) > minutes) : opens[0];
    if (next !== undefined) return { daysAhead: ahead, day: d, open: next };
  }
  return null;
}
