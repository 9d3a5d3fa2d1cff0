import { describe, expect, it } from 'vitest';
import { WeeklySchedule } from './config';
import { Holidays, easterSunday, holidayOn, quebecHolidays } from './holidays';
import { isOpen, nextOpening } from './hours';

describe('Québec statutory holidays', () => {
  it('computes Easter for known years', () => {
    expect(easterSunday(2024)).toEqual([2024, 3, 31]);
    expect(easterSunday(2025)).toEqual([2025, 4, 20]);
    expect(easterSunday(2026)).toEqual([2026, 4, 5]);
    expect(easterSunday(2038)).toEqual([2038, 4, 25]);
  });

  it('lists 2026 as the CNESST calendar does', () => {
    expect(quebecHolidays(2026).map((h) => `${h.id} ${h.date}`)).toEqual([
      'new-year 2026-01-01',
      'good-friday 2026-04-03',
      'easter-monday 2026-04-06',
      'patriots 2026-05-18',
      'fete-nationale 2026-06-24',
      'canada 2026-07-01',
      'labour 2026-09-07',
      'thanksgiving 2026-10-12',
      'christmas 2026-12-25',
    ]);
  });

  it("moves June 24 and July 1 to Monday when they fall on a Sunday; Patriots' Day is the Monday before May 25 even when the 24th is a Monday", () => {
    // 2029: June 24 is a Sunday. 2029 and 2018: July 1 is a Sunday.
    const y2029 = quebecHolidays(2029);
    expect(y2029.find((h) => h.id === 'fete-nationale')?.date).toBe('2029-06-25');
    expect(y2029.find((h) => h.id === 'canada')?.date).toBe('2029-07-02');
    expect(quebecHolidays(2018).find((h) => h.id === 'canada')?.date).toBe('2018-07-02');
    // May 24, 2027 is a Monday: it is Patriots' Day itself.
    expect(quebecHolidays(2027).find((h) => h.id === 'patriots')?.date).toBe('2027-05-24');
    // May 25, 2026 is a Monday: the one before is May 18.
    expect(quebecHolidays(2026).find((h) => h.id === 'patriots')?.date).toBe('2026-05-18');
  });

  it("adds the public service's January 2 and December 26 when asked", () => {
    const ids = quebecHolidays(2026, { publicService: true }).map((h) => h.id);
    expect(ids[1]).toBe('jan-2');
    expect(ids.at(-1)).toBe('dec-26');
  });

  it("finds the holiday in the office's time zone, and the office's own dates", () => {
    const h = Holidays.parse({ dates: ['2026-08-14'] });
    // 2026-06-24 03:30 UTC is still June 23 in Montréal.
    expect(holidayOn(h, new Date('2026-06-24T03:30:00Z'), 'America/Toronto')).toBeNull();
    expect(holidayOn(h, new Date('2026-06-24T05:00:00Z'), 'America/Toronto')).toBe('fete-nationale');
    expect(holidayOn(h, new Date('2026-08-14T15:00:00Z'), 'America/Toronto')).toBe('office');
    expect(holidayOn(Holidays.parse({ quebec: false }), new Date('2026-12-25T15:00:00Z'), 'America/Toronto')).toBeNull();
  });

  it('refuses a malformed date, naming it', () => {
    const r = Holidays.safeParse({ dates: ['2026-13-01'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['dates', 0]);
  });
});

describe('opening hours with holidays', () => {
  const weekday = [{ open: '08:30', close: '16:30' }];
  const schedule = WeeklySchedule.parse({ days: [[], weekday, weekday, weekday, weekday, weekday, []], holidays: { quebec: true, dates: ['2026-06-23'] } });

  it('is closed on a statutory holiday and on an office date, open the day after', () => {
    // Wednesday 2026-06-24, 10:00 in Montréal: Fête nationale.
    expect(isOpen(schedule, new Date('2026-06-24T14:00:00Z'))).toBe(false);
    expect(isOpen(schedule, new Date('2026-06-23T14:00:00Z'))).toBe(false);
    expect(isOpen(schedule, new Date('2026-06-25T14:00:00Z'))).toBe(true);
    expect(isOpen({ ...schedule, holidays: undefined }, new Date('2026-06-24T14:00:00Z'))).toBe(true);
  });

  it('names the next opening after the holidays', () => {
    // Monday 2026-06-22 at 17:00: Tuesday (office date) and Wednesday (Fête nationale) are skipped.
    expect(nextOpening(schedule, new Date('2026-06-22T21:00:00Z'))).toEqual({ daysAhead: 3, day: 4, open: '08:30' });
  });
});
