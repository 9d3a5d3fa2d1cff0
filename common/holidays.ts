// Québec statutory holidays, computed (no table to keep up to date), and an office's own closed days.
// Sources: Act respecting labour standards (CQLR c. N-1.1, ss. 60 and 62) and the Fête nationale Act
// (CQLR c. F-1.1): New Year's Day, Good Friday or Easter Monday (the government's offices close on both),
// National Patriots' Day (the Monday before May 25), June 24 (June 25 when the 24th is a Sunday),
// July 1 (July 2 when the 1st is a Sunday), Labour Day (first Monday of September), Thanksgiving (second
// Monday of October), Christmas Day. The public service also closes on January 2 and December 26
// (collective agreements): `publicService` adds them.
import { z } from 'zod';

/** A calendar date, YYYY-MM-DD. */
export const IsoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected YYYY-MM-DD');

/** An office's closed days: Québec's statutory holidays (computed) and its own dates. */
export const Holidays = z
  .object({
    /** Closed on Québec's statutory holidays. */
    quebec: z.boolean().default(true),
    /** Also closed on the public service's extra days (January 2, December 26). */
    publicService: z.boolean().default(false),
    /** Other closed days (a local holiday, a move, a training day). */
    dates: z.array(IsoDate).max(366).default([]),
  })
  .strict();
export type Holidays = z.infer<typeof Holidays>;

/** One holiday of a year. */
export interface Holiday {
  /** YYYY-MM-DD. */
  date: string;
  /** Stable id (new-year, good-friday, easter-monday, patriots, fete-nationale, canada, labour, thanksgiving, christmas, jan-2, dec-26). */
  id: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** Day of week (0 = Sunday) of a calendar date, independent of any time zone. */
const weekday = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();
const addDays = (y: number, m: number, d: number, n: number): [number, number, number] => {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
};

/** Easter Sunday (Gregorian; anonymous algorithm of Meeus/Jones/Butcher). */
export function easterSunday(year: number): [number, number, number] {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [year, month, day];
}

/** The n-th (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, dow: number, n: number): [number, number, number] {
  const first = weekday(year, month, 1);
  return [year, month, 1 + ((dow - first + 7) % 7) + 7 * (n - 1)];
}

/** Québec's statutory holidays of `year` (plus the public service's two extra days when asked), in date order. */
export function quebecHolidays(year: number, opts: { publicService?: boolean } = {}): Holiday[] {
  const out: Holiday[] = [];
  const add = (id: string, [y, m, d]: [number, number, number]) => out.push({ id, date: iso(y, m, d) });
  const [ey, em, ed] = easterSunday(year);
  add('new-year', [year, 1, 1]);
  if (opts.publicService) add('jan-2', [year, 1, 2]);
  add('good-friday', addDays(ey, em, ed, -2));
  add('easter-monday', addDays(ey, em, ed, 1));
  // The Monday before May 25: May 18–24.
  add('patriots', addDays(year, 5, 24, -((weekday(year, 5, 24) + 6) % 7)));
  add('fete-nationale', weekday(year, 6, 24) === 0 ? [year, 6, 25] : [year, 6, 24]);
  add('canada', weekday(year, 7, 1) === 0 ? [year, 7, 2] : [year, 7, 1]);
  add('labour', nthWeekday(year, 9, 1, 1));
  add('thanksgiving', nthWeekday(year, 10, 1, 2));
  add('christmas', [year, 12, 25]);
  if (opts.publicService) add('dec-26', [year, 12, 26]);
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** The local calendar date (YYYY-MM-DD) of `date` in `timeZone`. */
export function localDate(date: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** The holiday `date` falls on in `timeZone` (its id, or 'office' for one of the office's dates), or null. */
export function holidayOn(holidays: Holidays, date: Date, timeZone: string): string | null {
  const day = localDate(date, timeZone);
  if (holidays.dates.includes(day)) return 'office';
  if (!holidays.quebec) return null;
  const found = quebecHolidays(Number(day.slice(0, 4)), { publicService: holidays.publicService }).find((h) => h.date === day);
  return found?.id ?? null;
}
