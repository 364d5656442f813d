import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  periodsDueBy,
  addDays,
  addMonths,
  addQuarters,
  businessDateOf,
  dailyWindows,
  daysBetween,
  datesOf,
  inWindow,
  instantOf,
  isCalendarDate,
  isMonth,
  isQuarter,
  monthWindow,
  monthlyWindows,
  periodOfScheduledTime,
  previousWindow,
  quarterInForceOn,
  quarterOfMonth,
  quarterWindow,
  quarterlyWindows,
  spanOf,
  subtractMonthsClamped,
  windowEndingOn,
  windowLength,
} from '../../lib/calendar';

const LA = 'America/Los_Angeles';

/** Any calendar date between 1970 and 2100, as YYYY-MM-DD. */
const calendarDate = fc.integer({ min: 0, max: 47_481 }).map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));

describe('isCalendarDate', () => {
  it('rejects 29 February in a common year and accepts it in a leap year', () => {
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });

  it('rejects 29 February 2100, a century that is not a leap year, and accepts 2000-02-29', () => {
    expect(isCalendarDate('2100-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
  });

  it('accepts the last day of each month and rejects the day after', () => {
    expect(isCalendarDate('2026-04-30')).toBe(true);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-12-31')).toBe(true);
    expect(isCalendarDate('2026-12-32')).toBe(false);
  });

  it('rejects month 00 and 13, day 00, and anything that is not exactly YYYY-MM-DD', () => {
    for (const s of ['2026-00-10', '2026-13-01', '2026-01-00', '2026-1-05', '2026-01-5', '26-01-05', '2026-01-05T00:00:00Z', ' 2026-01-05', '']) {
      expect(isCalendarDate(s), s).toBe(false);
    }
  });

  it('accepts every date that addDays produces (property)', () => {
    fc.assert(
      fc.property(calendarDate, (d) => isCalendarDate(d)),
      { numRuns: 200 },
    );
  });
});

describe('isMonth and isQuarter', () => {
  it('accept 2026-01 and 2026-12 but not 2026-00 or 2026-13', () => {
    expect(isMonth('2026-01')).toBe(true);
    expect(isMonth('2026-12')).toBe(true);
    expect(isMonth('2026-00')).toBe(false);
    expect(isMonth('2026-13')).toBe(false);
  });

  it('accept 2026-Q1 to 2026-Q4 but not 2026-Q0 or 2026-Q5', () => {
    expect(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'].every(isQuarter)).toBe(true);
    expect(isQuarter('2026-Q0')).toBe(false);
    expect(isQuarter('2026-Q5')).toBe(false);
  });
});

describe('date arithmetic', () => {
  it('adds days across a month end, a leap day and a year end', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('counts 365 days in 2026 and 366 in 2028', () => {
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
  });

  it('adds months across year ends in both directions', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', -15)).toBe('2024-12');
  });

  it('adds quarters across year ends in both directions', () => {
    expect(addQuarters('2026-Q4', 1)).toBe('2027-Q1');
    expect(addQuarters('2026-Q1', -1)).toBe('2025-Q4');
  });

  it('maps months to quarters: March is Q1, April is Q2, December is Q4', () => {
    expect(quarterOfMonth('2026-03')).toBe('2026-Q1');
    expect(quarterOfMonth('2026-04')).toBe('2026-Q2');
    expect(quarterOfMonth('2026-12')).toBe('2026-Q4');
  });

  it('adding n days then subtracting n days gives the date back (property)', () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: -2000, max: 2000 }), (d, n) => {
        const later = addDays(d, n);
        return addDays(later, -n) === d && daysBetween(d, later) === n;
      }),
      { numRuns: 200 },
    );
  });
});

describe('windows', () => {
  it('has an inclusive length: a window from 2026-06-02 to 2026-07-01 holds 30 days', () => {
    expect(windowLength({ start: '2026-06-02', end: '2026-07-01' })).toBe(30);
    expect(windowLength({ start: '2026-07-01', end: '2026-07-01' })).toBe(1);
  });

  it('builds the window of n days ending on a date, including that date', () => {
    expect(windowEndingOn('2026-07-01', 30)).toEqual({ start: '2026-06-02', end: '2026-07-01' });
    expect(windowEndingOn('2026-07-01', 1)).toEqual({ start: '2026-07-01', end: '2026-07-01' });
  });

  it('places the previous window of the same length just before, without overlap', () => {
    // February 2026 has 28 days, so the previous window is the 28 days 2026-01-04..2026-01-31.
    expect(previousWindow({ start: '2026-02-01', end: '2026-02-28' })).toEqual({ start: '2026-01-04', end: '2026-01-31' });
  });

  it('counts a date on either edge as inside the window, and the days beyond as outside', () => {
    const w = { start: '2026-02-01', end: '2026-02-28' };
    expect(inWindow('2026-02-01', w)).toBe(true);
    expect(inWindow('2026-02-28', w)).toBe(true);
    expect(inWindow('2026-01-31', w)).toBe(false);
    expect(inWindow('2026-03-01', w)).toBe(false);
  });

  it('covers several windows with their smallest span', () => {
    expect(
      spanOf([
        { start: '2026-02-01', end: '2026-02-28' },
        { start: '2025-12-01', end: '2026-01-15' },
      ]),
    ).toEqual({ start: '2025-12-01', end: '2026-02-28' });
  });

  it('lists every date of a window once, in order', () => {
    expect(datesOf({ start: '2028-02-27', end: '2028-03-01' })).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
  });

  it('gives a month window from the 1st to its last day', () => {
    expect(monthWindow('2026-02')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(monthWindow('2028-02')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
  });

  it('gives a quarter window from its first to its last day', () => {
    expect(quarterWindow('2026-Q2')).toEqual({ start: '2026-04-01', end: '2026-06-30' });
    expect(quarterWindow('2026-Q4')).toEqual({ start: '2026-10-01', end: '2026-12-31' });
  });

  it('a window of n days ending on any date holds exactly n dates, and its previous window ends the day before it starts (property)', () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: 1, max: 400 }), (end, n) => {
        const w = windowEndingOn(end, n);
        const p = previousWindow(w);
        return windowLength(w) === n && datesOf(w).length === n && windowLength(p) === n && addDays(p.end, 1) === w.start;
      }),
      { numRuns: 150 },
    );
  });
});

describe('businessDateOf', () => {
  it('reads 2026-03-08T10:00:00Z, the morning DST starts, as 2026-03-08 (03:00 PDT)', () => {
    expect(businessDateOf('2026-03-08T10:00:00Z', LA)).toBe('2026-03-08');
    expect(instantOf('2026-03-08', 3, LA)).toBe('2026-03-08T10:00:00Z');
  });

  it('reads 2026-11-01T10:00:00Z, the morning DST ends, as 2026-11-01 (02:00 PST; 03:00 PST is 11:00Z)', () => {
    expect(businessDateOf('2026-11-01T10:00:00Z', LA)).toBe('2026-11-01');
    expect(instantOf('2026-11-01', 3, LA)).toBe('2026-11-01T11:00:00Z');
    expect(businessDateOf('2026-11-01T11:00:00Z', LA)).toBe('2026-11-01');
  });

  it('keeps 23:59:59 PDT on the same date and moves 00:00 PDT to the next (UTC−7 in summer)', () => {
    expect(businessDateOf('2026-07-02T06:59:59Z', LA)).toBe('2026-07-01');
    expect(businessDateOf('2026-07-02T07:00:00Z', LA)).toBe('2026-07-02');
  });

  it('keeps 23:59:59 PST on the same date and moves 00:00 PST to the next (UTC−8 in winter)', () => {
    expect(businessDateOf('2026-01-02T07:59:59Z', LA)).toBe('2026-01-01');
    expect(businessDateOf('2026-01-02T08:00:00Z', LA)).toBe('2026-01-02');
  });

  it('honours an explicit offset in the instant', () => {
    // 2026-07-02T01:00+02:00 is 2026-07-01T23:00Z, i.e. 16:00 PDT on 2026-07-01.
    expect(businessDateOf('2026-07-02T01:00:00+02:00', LA)).toBe('2026-07-01');
  });

  it('refuses text that is not an ISO instant and a zone that does not exist', () => {
    expect(() => businessDateOf('yesterday', LA)).toThrow(RangeError);
    expect(() => businessDateOf('2026-07-02T10:00:00Z', 'Mars/Olympus_Mons')).toThrow(/unknown time zone/);
  });

  it('03:00 business time of any date falls on that business date (property)', () => {
    fc.assert(
      fc.property(calendarDate, (d) => businessDateOf(instantOf(d, 3, LA), LA) === d),
      { numRuns: 200 },
    );
  });
});

describe('periodOfScheduledTime', () => {
  it('gives a daily job its business date, even when the UTC date is already the next day', () => {
    // 03:00 PDT on 2026-07-02 is 10:00Z; 17:00 PDT on 2026-07-01 is 00:00Z on 07-02.
    expect(periodOfScheduledTime('daily', '2026-07-02T10:00:00Z', LA)).toBe('2026-07-02');
    expect(periodOfScheduledTime('daily', '2026-07-02T00:00:00Z', LA)).toBe('2026-07-01');
  });

  it('gives a daily job fired on the DST change days the local date', () => {
    expect(periodOfScheduledTime('daily', '2026-03-08T10:00:00Z', LA)).toBe('2026-03-08');
    expect(periodOfScheduledTime('daily', '2026-11-01T11:00:00Z', LA)).toBe('2026-11-01');
  });

  it('gives a monthly job fired on 2026-07-02 the month 2026-07', () => {
    expect(periodOfScheduledTime('monthly', '2026-07-02T10:00:00Z', LA)).toBe('2026-07');
  });

  it('gives a monthly job fired at 03:00 PST on 2026-01-02 the month 2026-01, not the UTC month', () => {
    expect(periodOfScheduledTime('monthly', '2026-01-02T11:00:00Z', LA)).toBe('2026-01');
  });

  it('gives a quarterly job fired on 2026-07-10 the quarter it evaluates, 2026-Q2', () => {
    expect(periodOfScheduledTime('quarterly', '2026-07-10T10:00:00Z', LA)).toBe('2026-Q2');
  });

  it("gives a quarterly job fired on 2026-01-10 the previous year's 2025-Q4", () => {
    expect(periodOfScheduledTime('quarterly', '2026-01-10T11:00:00Z', LA)).toBe('2025-Q4');
  });

  it('evaluates the same period for a late delivery of the same scheduled time', () => {
    // The period comes from the scheduled time only: redelivery hours later changes nothing.
    const scheduled = '2026-04-10T10:00:00Z';
    expect(periodOfScheduledTime('quarterly', scheduled, LA)).toBe('2026-Q1');
    expect(periodOfScheduledTime('quarterly', scheduled, LA)).toBe(periodOfScheduledTime('quarterly', scheduled, LA));
  });
});

describe('dailyWindows', () => {
  it('scores D-30..D-1, compares with the 30 days before, and assesses the merchant tier over 90 days ending D-1', () => {
    // D = 2026-07-02: D-1 = 07-01; 30 days back to 06-02; previous 05-03..06-01;
    // 90 days ending 07-01: July 1 (1) + June (30) + May (31) = 62, plus 28 April days: 04-03..04-30.
    expect(dailyWindows('2026-07-02', 90)).toEqual({
      scoring: { start: '2026-06-02', end: '2026-07-01' },
      previous: { start: '2026-05-03', end: '2026-06-01' },
      merchant: { start: '2026-04-03', end: '2026-07-01' },
    });
  });

  it('on 1 March of a leap year scores 2028-01-31..2028-02-29', () => {
    // The 29 days of February 2028 plus one day of January make 30: the window starts on 01-31.
    expect(dailyWindows('2028-03-01', 90).scoring).toEqual({ start: '2028-01-31', end: '2028-02-29' });
  });
});

describe('monthlyWindows', () => {
  it('for 2026-03 scores February 2026 (28 days), compares with the 28 days before, and measures service over 90 days ending 2026-02-28', () => {
    // 90 days ending 02-28: February (28) + January (31) + December (31) = 90, so it starts 2025-12-01.
    const w = monthlyWindows('2026-03', 90);
    expect(w).toEqual({
      scoring: { start: '2026-02-01', end: '2026-02-28' },
      previous: { start: '2026-01-04', end: '2026-01-31' },
      service: { start: '2025-12-01', end: '2026-02-28' },
    });
    expect(windowLength(w.scoring)).toBe(28);
    expect(windowLength(w.previous)).toBe(28);
  });

  it('for 2026-01 scores December 2025 and compares with the 31 days before', () => {
    expect(monthlyWindows('2026-01', 90).scoring).toEqual({ start: '2025-12-01', end: '2025-12-31' });
    expect(monthlyWindows('2026-01', 90).previous).toEqual({ start: '2025-10-31', end: '2025-11-30' });
  });

  it('for 2026-07 measures service over 2026-04-02..2026-06-30', () => {
    expect(monthlyWindows('2026-07', 90).service).toEqual({ start: '2026-04-02', end: '2026-06-30' });
  });
});

describe('quarterlyWindows', () => {
  it('assesses 2026-Q2 over 2026-04-02..2026-06-30, in force 2026-07-15..2026-10-14', () => {
    // 90 days ending 06-30: June (30) + May (31) = 61, plus 29 April days: 04-02..04-30.
    expect(quarterlyWindows('2026-Q2', 90, 15)).toEqual({
      assessment: { start: '2026-04-02', end: '2026-06-30' },
      effectiveFrom: '2026-07-15',
      effectiveUntil: '2026-10-14',
    });
  });

  it('puts the effective dates of 2026-Q4 in the next year', () => {
    expect(quarterlyWindows('2026-Q4', 90, 15)).toEqual({
      assessment: { start: '2026-10-03', end: '2026-12-31' },
      effectiveFrom: '2027-01-15',
      effectiveUntil: '2027-04-14',
    });
  });

  it('assesses 2026-Q1 over the 90 days ending 2026-03-31, i.e. from 2026-01-01', () => {
    // January 31 + February 28 + March 31 = 90 days exactly.
    expect(quarterlyWindows('2026-Q1', 90, 15).assessment).toEqual({ start: '2026-01-01', end: '2026-03-31' });
  });
});

describe('quarterInForceOn', () => {
  it('keeps the older assessment through the 14th and switches on the 15th', () => {
    // Q1 takes effect 04-15..07-14; Q2 from 07-15.
    expect(quarterInForceOn('2026-07-14', 15)).toBe('2026-Q1');
    expect(quarterInForceOn('2026-07-15', 15)).toBe('2026-Q2');
  });

  it('looks back into the previous year in early January', () => {
    expect(quarterInForceOn('2027-01-14', 15)).toBe('2026-Q3');
    expect(quarterInForceOn('2027-01-15', 15)).toBe('2026-Q4');
  });

  it('agrees with quarterlyWindows: the quarter in force on any date has an effective range containing it (property)', () => {
    fc.assert(
      fc.property(calendarDate, (d) => {
        const w = quarterlyWindows(quarterInForceOn(d, 15), 90, 15);
        return w.effectiveFrom <= d && d <= w.effectiveUntil;
      }),
      { numRuns: 200 },
    );
  });
});

describe('subtractMonthsClamped', () => {
  it('takes 12 months from 2024-02-29 to 2023-02-28, clamping to the shorter February', () => {
    expect(subtractMonthsClamped('2024-02-29', 12)).toBe('2023-02-28');
  });

  it('takes 1 month from 2026-03-31 to 2026-02-28', () => {
    expect(subtractMonthsClamped('2026-03-31', 1)).toBe('2026-02-28');
  });

  it('keeps the day when the earlier month is long enough', () => {
    expect(subtractMonthsClamped('2026-03-15', 12)).toBe('2025-03-15');
    expect(subtractMonthsClamped('2026-01-31', 1)).toBe('2025-12-31');
  });

  it('always gives a calendar date no later than the month-start arithmetic allows (property)', () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: 0, max: 36 }), (d, n) => {
        const r = subtractMonthsClamped(d, n);
        return isCalendarDate(r) && r.slice(0, 7) === addMonths(d.slice(0, 7), -n) && r <= d;
      }),
      { numRuns: 200 },
    );
  });
});

describe('periodsDueBy', () => {
  it('expects the month from the 3rd on and the last quarter from the 11th of its firing month', () => {
    expect(periodsDueBy('2026-07-02')).toEqual({ monthly: '2026-06', quarterly: '2026-Q1' });
    expect(periodsDueBy('2026-07-03')).toEqual({ monthly: '2026-07', quarterly: '2026-Q1' });
    expect(periodsDueBy('2026-07-10')).toEqual({ monthly: '2026-07', quarterly: '2026-Q1' });
    expect(periodsDueBy('2026-07-11')).toEqual({ monthly: '2026-07', quarterly: '2026-Q2' });
    expect(periodsDueBy('2026-01-05')).toEqual({ monthly: '2026-01', quarterly: '2025-Q3' });
    expect(periodsDueBy('2026-01-02')).toEqual({ monthly: '2025-12', quarterly: '2025-Q3' });
  });
});
