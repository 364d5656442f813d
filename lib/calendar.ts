import { DateTime } from 'luxon';

/** An inclusive range of business dates (SPEC §2). */
interface DateWindow {
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const QUARTER_RE = /^(\d{4})-Q([1-4])$/;

/** True when s is a real YYYY-MM-DD calendar date (no 2026-02-30). */
function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function isMonth(s: string): boolean {
  const m = MONTH_RE.exec(s);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

function isQuarter(s: string): boolean {
  return QUARTER_RE.test(s);
}

function daysInMonth(year: number, month: number): number {
  return new Date(new Date(0).setUTCFullYear(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 of a calendar date; dates are zone-free, so UTC arithmetic is exact. */
// Jobs convert the same few hundred dates for every seller: both directions are memoized (bounded).
const epochDays = new Map<string, number>();
const datesOfDays = new Map<number, string>();
const MEMO_LIMIT = 20_000;

function epochDay(date: string): number {
  let day = epochDays.get(date);
  if (day === undefined) {
    const m = DATE_RE.exec(date);
    if (!m) throw new Error(`not a date: ${date}`);
    // setUTCFullYear, because Date.UTC reads the years 0–99 as 1900–1999
    day = new Date(0).setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
    if (epochDays.size >= MEMO_LIMIT) epochDays.clear();
    epochDays.set(date, day);
  }
  return day;
}

function dateOfEpochDay(day: number): string {
  let date = datesOfDays.get(day);
  if (date === undefined) {
    const t = new Date(day * DAY_MS);
    date = `${String(t.getUTCFullYear()).padStart(4, '0')}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
    if (datesOfDays.size >= MEMO_LIMIT) datesOfDays.clear();
    datesOfDays.set(day, date);
  }
  return date;
}

function addDays(date: string, days: number): string {
  return dateOfEpochDay(epochDay(date) + days);
}

/** Number of days from a to b (b − a). */
function daysBetween(a: string, b: string): number {
  return epochDay(b) - epochDay(a);
}

/** Days in an inclusive window. */
function windowLength(w: DateWindow): number {
  return daysBetween(w.start, w.end) + 1;
}

/** The window of `days` days that ends on `end`. */
function windowEndingOn(end: string, days: number): DateWindow {
  return { start: addDays(end, -(days - 1)), end };
}

/** The window of the same length just before w (SPEC §4 gmvGrowth). */
function previousWindow(w: DateWindow): DateWindow {
  return windowEndingOn(addDays(w.start, -1), windowLength(w));
}

/** The smallest window covering all of them. */
function spanOf(windows: DateWindow[]): DateWindow {
  const starts = windows.map((w) => w.start).sort();
  const ends = windows.map((w) => w.end).sort();
  return { start: starts[0]!, end: ends[ends.length - 1]! };
}

function inWindow(date: string, w: DateWindow): boolean {
  return date >= w.start && date <= w.end;
}

/** The business date in `timeZone` of an instant (ISO 8601 with offset or Z). */
function businessDateOf(instant: string, timeZone: string): string {
  const t = DateTime.fromISO(instant, { setZone: true });
  if (!t.isValid) throw new RangeError(`not an ISO instant: ${instant} (${t.invalidExplanation ?? t.invalidReason})`);
  const local = t.setZone(timeZone);
  if (!local.isValid) throw new RangeError(`unknown time zone: ${timeZone}`);
  return local.toISODate()!;
}

/** The instant at which a wall-clock time on a business date happens (DST-aware). */
function instantOf(date: string, hour: number, timeZone: string): string {
  return DateTime.fromISO(date, { zone: timeZone }).set({ hour }).toUTC().toISO({ suppressMilliseconds: true })!;
}

function monthOf(date: string): string {
  return date.slice(0, 7);
}

function monthParts(month: string): [number, number] {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  return [Number(m[1]), Number(m[2])];
}

function addMonths(month: string, n: number): string {
  const [y, m] = monthParts(month);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function monthWindow(month: string): DateWindow {
  const [y, m] = monthParts(month);
  return { start: `${month}-01`, end: `${month}-${String(daysInMonth(y, m)).padStart(2, '0')}` };
}

/** date − n months, the day clamped to the end of a shorter month (SPEC §7.3). */
function subtractMonthsClamped(date: string, months: number): string {
  const target = addMonths(monthOf(date), -months);
  const [y, m] = monthParts(target);
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(y, m));
  return `${target}-${String(day).padStart(2, '0')}`;
}

function quarterOfMonth(month: string): string {
  const [y, m] = monthParts(month);
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

function quarterParts(quarter: string): [number, number] {
  const m = QUARTER_RE.exec(quarter);
  if (!m) throw new Error(`not a quarter: ${quarter}`);
  return [Number(m[1]), Number(m[2])];
}

function firstMonthOfQuarter(quarter: string): string {
  const [y, q] = quarterParts(quarter);
  return `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}`;
}

function addQuarters(quarter: string, n: number): string {
  return quarterOfMonth(addMonths(firstMonthOfQuarter(quarter), 3 * n));
}

function quarterWindow(quarter: string): DateWindow {
  const first = firstMonthOfQuarter(quarter);
  return { start: monthWindow(first).start, end: monthWindow(addMonths(first, 2)).end };
}

/** The windows the daily job evaluates on date D (SPEC §2, §6, §7.2). */
function dailyWindows(date: string, merchantWindowDays: number) {
  const scoring = windowEndingOn(addDays(date, -1), 30);
  return { scoring, previous: previousWindow(scoring), merchant: windowEndingOn(addDays(date, -1), merchantWindowDays) };
}

/** The windows the monthly job evaluates for month M: operation tier over M−1, service level over the days ending with M−1. */
function monthlyWindows(month: string, serviceWindowDays: number, extendedServiceWindowDays: number | null = null) {
  const scoring = monthWindow(addMonths(month, -1));
  const windows: { scoring: DateWindow; previous: DateWindow; service: DateWindow; serviceExtended?: DateWindow } = {
    scoring,
    previous: previousWindow(scoring),
    service: windowEndingOn(scoring.end, serviceWindowDays),
  };
  // the volume-adaptive window of SPEC §7.1, read only when the policy sets it
  if (extendedServiceWindowDays !== null) windows.serviceExtended = windowEndingOn(scoring.end, extendedServiceWindowDays);
  return windows;
}

/** The quarterly assessment of quarter Q: its window and the dates its tier is in force (SPEC §2, §7.2). */
function quarterlyWindows(quarter: string, windowDays: number, effectiveFromDay: number) {
  const assessment = windowEndingOn(quarterWindow(quarter).end, windowDays);
  const firing = addMonths(firstMonthOfQuarter(quarter), 3);
  const day = (d: number) => String(d).padStart(2, '0');
  return {
    assessment,
    effectiveFrom: `${firing}-${day(effectiveFromDay)}`,
    effectiveUntil: addDays(`${addMonths(firing, 3)}-${day(effectiveFromDay)}`, -1),
  };
}

/** The assessed quarter whose merchant tier is in force on a date: the latest that took effect by then (SPEC §7.2). */
function quarterInForceOn(date: string, effectiveFromDay: number): string {
  const current = quarterOfMonth(monthOf(date));
  const previous = addQuarters(current, -1);
  const takesEffect = `${firstMonthOfQuarter(current)}-${String(effectiveFromDay).padStart(2, '0')}`;
  return date >= takesEffect ? previous : addQuarters(previous, -1);
}

/**
 * The monthly and quarterly periods that should have been evaluated by date D, a day after their
 * schedules (the 2nd; the 10th of Jan/Apr/Jul/Oct) had a full day to finish.
 */
function periodsDueBy(date: string): { monthly: string; quarterly: string } {
  const month = monthOf(date);
  const day = Number(date.slice(8, 10));
  const current = quarterOfMonth(month);
  const quarterFired = date >= `${firstMonthOfQuarter(current)}-11`;
  return { monthly: day >= 3 ? month : addMonths(month, -1), quarterly: addQuarters(current, quarterFired ? -1 : -2) };
}

/** The scheduled jobs: the seller jobs and the product growth centre (whose period is a date, like the daily job's). */
const JOBS = ['daily', 'monthly', 'quarterly', 'growth'] as const;
type Job = (typeof JOBS)[number];
/** The jobs that grade sellers from their metric windows. */
type SellerJob = Exclude<Job, 'growth'>;

/** The business-time hour each schedule fires at (SPEC §2): the growth job after the seller jobs. */
const SCHEDULE_HOUR: Record<Job, number> = { daily: 3, monthly: 3, quarterly: 3, growth: 4 };

/** The period a scheduled time evaluates, from the business date of that time, never the clock (SPEC §2). */
function periodOfScheduledTime(job: Job, scheduledTime: string, timeZone: string): string {
  const date = businessDateOf(scheduledTime, timeZone);
  switch (job) {
    case 'daily':
    case 'growth':
      return date;
    case 'monthly':
      return monthOf(date);
    case 'quarterly':
      return addQuarters(quarterOfMonth(monthOf(date)), -1);
  }
}

/** Every date of a window, in order. */
function datesOf(w: DateWindow): string[] {
  const out: string[] = [];
  for (let d = epochDay(w.start), end = epochDay(w.end); d <= end; d++) out.push(dateOfEpochDay(d));
  return out;
}

export {
  JOBS,
  SCHEDULE_HOUR,
  addDays,
  addMonths,
  addQuarters,
  businessDateOf,
  dailyWindows,
  dateOfEpochDay,
  datesOf,
  daysBetween,
  daysInMonth,
  epochDay,
  firstMonthOfQuarter,
  inWindow,
  instantOf,
  isCalendarDate,
  isMonth,
  isQuarter,
  monthOf,
  monthWindow,
  monthlyWindows,
  periodOfScheduledTime,
  periodsDueBy,
  previousWindow,
  quarterInForceOn,
  quarterOfMonth,
  quarterWindow,
  quarterlyWindows,
  spanOf,
  subtractMonthsClamped,
  windowEndingOn,
  windowLength,
};
export type { DateWindow, Job, SellerJob };
