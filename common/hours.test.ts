import { describe, expect, it } from 'vitest';
import { Period, WeeklySchedule, allDaySchedule, defaultSchedule } from './config';
import { formatPeriods, formatTime, isAllDay, isOpen, nextOpening, periodsOn } from './hours';

// 2026-11-29 is a Sunday; Toronto is UTC-5 in November.
const at = (iso: string) => new Date(iso);

describe('opening hours', () => {
  it('the default schedule is closed on a Sunday evening and open on a Monday morning', () => {
    expect(isOpen(defaultSchedule, at('2026-11-29T23:00:00Z'))).toBe(false);
    expect(isOpen(defaultSchedule, at('2026-11-30T14:00:00Z'))).toBe(true);
  });

  it('an all-day schedule is open at every minute of the week, midnight and 23:59 included', () => {
    for (const iso of ['2026-11-29T05:00:00Z', '2026-11-29T04:59:00Z', '2026-11-28T23:30:00Z', '2026-12-02T16:45:00Z']) {
      expect(isOpen(allDaySchedule, at(iso)), iso).toBe(true);
    }
    expect(isAllDay(periodsOn(allDaySchedule, at('2026-11-29T12:00:00Z')))).toBe(true);
    expect(isAllDay(periodsOn(defaultSchedule, at('2026-11-30T14:00:00Z')))).toBe(false);
  });

  it('24:00 is accepted as a closing time only, and a period must close after it opens', () => {
    expect(Period.safeParse({ open: '00:00', close: '24:00' }).success).toBe(true);
    expect(Period.safeParse({ open: '24:00', close: '24:00' }).success).toBe(false);
    expect(Period.safeParse({ open: '13:00', close: '12:00' }).success).toBe(false);
    expect(Period.safeParse({ open: '08:00', close: '24:01' }).success).toBe(false);
    expect(WeeklySchedule.safeParse(allDaySchedule).success).toBe(true);
  });

  it('formats times in Québec French and English, midnight included', () => {
    expect(formatTime('08:30', 'fr')).toBe('8 h 30');
    expect(formatTime('13:00', 'en')).toBe('1:00 PM');
    expect(formatTime('24:00', 'en')).toBe('12:00 AM');
    expect(formatPeriods([{ open: '08:30', close: '12:00' }, { open: '13:00', close: '16:30' }], 'fr')).toBe('8 h 30 – 12 h et 13 h – 16 h 30');
    // Other languages: 24-hour times, joined by the language's own "and".
    const day = [{ open: '08:30', close: '12:00' }, { open: '13:00', close: '24:00' }];
    expect(formatPeriods(day, 'es')).toBe('8:30 – 12:00 y 13:00 – 24:00');
    expect(formatPeriods(day, 'ar')).toBe('8:30 – 12:00 و13:00 – 24:00');
    expect(formatPeriods(day, 'zh')).toBe('8:30 – 12:00和13:00 – 24:00');
  });
});

describe('next opening (closed screen)', () => {
  // defaultSchedule: Monday–Friday 8:30–12:00 and 13:00–16:30, America/Toronto.
  it('later today, tomorrow, after the weekend, or never', () => {
    // Monday 2026-11-23 12:30 local (17:30Z): the afternoon period.
    expect(nextOpening(defaultSchedule, new Date('2026-11-23T17:30:00Z'))).toEqual({ daysAhead: 0, day: 1, open: '13:00' });
    // Monday 18:00 local: Tuesday morning.
    expect(nextOpening(defaultSchedule, new Date('2026-11-23T23:00:00Z'))).toEqual({ daysAhead: 1, day: 2, open: '08:30' });
    // Friday 17:00 local: Monday, three days ahead.
    expect(nextOpening(defaultSchedule, new Date('2026-11-27T22:00:00Z'))).toEqual({ daysAhead: 3, day: 1, open: '08:30' });
    expect(nextOpening({ timeZone: 'America/Toronto', days: [[], [], [], [], [], [], []] }, new Date('2026-11-27T22:00:00Z'))).toBeNull();
  });
});
