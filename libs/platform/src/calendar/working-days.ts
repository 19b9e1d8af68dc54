// Working days in Asia/Jakarta (PRODUCT.md "Working days"): Monday–Friday minus the holidays and
// cuti bersama of a calendar. Every SLA counts them.
//
// Jakarta is UTC+7 (WIB) all year: no DST, and the zone has not changed offset since 1964. So the
// arithmetic below uses the fixed +07:00 offset instead of Intl, which keeps an SLA computation
// for a million records cheap; the spec checks the offset against Intl's tz data.

const DAY_MS = 86_400_000;
const JAKARTA_OFFSET_MS = 7 * 3_600_000;

/** Scanning limit in calendar days (about ten years): a calendar with no working day must not loop forever. */
export const WORKING_DAY_SCAN_LIMIT = 3660;

export interface HolidayCalendar {
  /** `date` is a Jakarta calendar date YYYY-MM-DD; only asked about Monday–Friday. */
  isHoliday(date: string): boolean;
}

/** A Set-backed calendar; throws RangeError if an entry is not a real YYYY-MM-DD date. */
export function calendarOf(holidays: Iterable<string>): HolidayCalendar {
  const dates = new Set<string>();
  for (const date of holidays) {
    dayOfIso(date);
    dates.add(date);
  }
  return { isHoliday: (date) => dates.has(date) };
}

/** The Jakarta calendar date (YYYY-MM-DD) of an instant. */
export function jakartaDate(instant: Date): string {
  return isoOfDay(dayOf(instant));
}

/** Whether a Jakarta date (YYYY-MM-DD) is Monday–Friday and not a holiday; RangeError if the date is not real. */
export function isWorkingDay(date: string, calendar: HolidayCalendar): boolean {
  return working(dayOfIso(date), calendar);
}

/**
 * The deadline `days` working days after `start`: the end (23:59:59.999 Jakarta time) of the
 * `days`-th working day after the Jakarta date of `start`. The start day never counts, even if
 * it is a working day, so a submission on Saturday or on a holiday has the next working day as
 * day 1. `days = 0` means the end of the start day if it is a working day, otherwise the end of
 * the next working day. RangeError if `days` is not a non-negative integer, or if the deadline
 * would lie more than WORKING_DAY_SCAN_LIMIT calendar days after the start date.
 */
export function addWorkingDays(start: Date, days: number, calendar: HolidayCalendar): Date {
  checkDays(days);
  const first = dayOf(start);
  let day = first;
  let left = days;
  if (left === 0) {
    // The start day stands for itself; a closed office makes it the next working day.
    if (working(day, calendar)) return endOfDay(day);
    left = 1;
  }
  const limit = first + WORKING_DAY_SCAN_LIMIT;
  while (left > 0) {
    day += 1;
    if (day > limit) {
      throw new RangeError(`no deadline of ${days} working days after ${isoOfDay(first)} within ${WORKING_DAY_SCAN_LIMIT} calendar days`);
    }
    if (working(day, calendar)) left -= 1;
  }
  return endOfDay(day);
}

/**
 * The number of working days strictly after the Jakarta date of `from`, up to and including the
 * Jakarta date of `to`; 0 if `to` falls on or before that date. For days ≥ 1, and for days = 0
 * from a working day, countWorkingDays(s, addWorkingDays(s, days, c), c) === days.
 */
export function countWorkingDays(from: Date, to: Date, calendar: HolidayCalendar): number {
  const last = dayOf(to);
  let count = 0;
  for (let day = dayOf(from) + 1; day <= last; day++) {
    if (working(day, calendar)) count += 1;
  }
  return count;
}

/** The end (23:59:59.999 Jakarta time) of the Jakarta day `days` calendar days after `start`'s date; RangeError unless `days` is a non-negative integer. */
export function addCalendarDays(start: Date, days: number): Date {
  checkDays(days);
  const end = endOfDay(dayOf(start) + days);
  if (Number.isNaN(end.getTime())) throw new RangeError(`${days} days after ${start.toISOString()} is out of range`);
  return end;
}

// Days are counted from 1970-01-01 in Jakarta local time.

function dayOf(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
  return Math.floor((ms + JAKARTA_OFFSET_MS) / DAY_MS);
}

function endOfDay(day: number): Date {
  return new Date((day + 1) * DAY_MS - JAKARTA_OFFSET_MS - 1);
}

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`);
}

function working(day: number, calendar: HolidayCalendar): boolean {
  // 1970-01-01 was a Thursday: (day + 4) % 7 is 0 on Sundays and 6 on Saturdays.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6 && !calendar.isHoliday(cachedIso(day));
}

// Formatting the date string is most of the cost of a day step, and reports ask about the same
// few years over and over; the cache holds at most one short string per day of 1970–2149.
const ISO_CACHE: string[] = [];
const ISO_CACHE_DAYS = 65_744;

function cachedIso(day: number): string {
  if (day < 0 || day >= ISO_CACHE_DAYS) return isoOfDay(day);
  return (ISO_CACHE[day] ??= isoOfDay(day));
}

// Civil-date conversions after Howard Hinnant's days_from_civil / civil_from_days: plain integer
// arithmetic, no Date or Intl objects in the day loops.

function isoOfDay(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

function dayOfIso(date: string): number {
  const match = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  if (match) {
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (m >= 1 && m <= 12 && d >= 1 && d <= 31) {
      const yy = m <= 2 ? y - 1 : y;
      const era = Math.floor(yy / 400);
      const yoe = yy - era * 400;
      const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
      const day = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
      // 2026-02-30 would land on March 2; the round trip rejects it.
      if (isoOfDay(day) === date) return day;
    }
  }
  throw new RangeError(`not a real YYYY-MM-DD date: ${JSON.stringify(date)}`);
}
