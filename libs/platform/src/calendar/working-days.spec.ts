import {
  addCalendarDays,
  addWorkingDays,
  calendarOf,
  countWorkingDays,
  HolidayCalendar,
  isWorkingDay,
  jakartaDate,
  WORKING_DAY_SCAN_LIMIT,
} from './working-days';

// Holidays and cuti bersama of 2026 (SKB 3 Menteri 2025), plus New Year 2027 for the year boundary.
const CALENDAR = calendarOf([
  '2026-01-01', '2026-01-16', '2026-02-16', '2026-02-17', '2026-03-18', '2026-03-19', '2026-03-20',
  '2026-03-21', '2026-03-22', '2026-03-23', '2026-03-24', '2026-04-03', '2026-04-05', '2026-05-01',
  '2026-05-14', '2026-05-15', '2026-05-27', '2026-05-28', '2026-05-31', '2026-06-01', '2026-06-16',
  '2026-08-17', '2026-08-25', '2026-12-24', '2026-12-25', '2027-01-01',
]);
const NONE = calendarOf([]);

/** An instant given as Jakarta wall-clock time. */
const wib = (local: string) => new Date(`${local}+07:00`);
/** The deadline instant for the end of a Jakarta date. */
const endOf = (date: string) => wib(`${date}T23:59:59.999`);

describe('jakartaDate', () => {
  it('switches date at 17:00 UTC, which is midnight in Jakarta', () => {
    expect(jakartaDate(new Date('2026-11-27T16:59:59.999Z'))).toBe('2026-11-27');
    expect(jakartaDate(new Date('2026-11-27T17:00:00.000Z'))).toBe('2026-11-28');
    expect(jakartaDate(new Date('2026-11-27T18:30:00Z'))).toBe('2026-11-28');
    expect(jakartaDate(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
  });

  it('agrees with the tz database on the fixed +07:00 offset', () => {
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' });
    // Every 7 hours from 1970 to 2040 lands at every hour of the day and both sides of midnight.
    for (let ms = Date.UTC(1970, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 7 * 3_600_000) {
      const instant = new Date(ms);
      if (jakartaDate(instant) !== intl.format(instant)) {
        throw new Error(`${instant.toISOString()}: ${jakartaDate(instant)} vs ${intl.format(instant)}`);
      }
    }
    expect(jakartaDate(new Date(Date.UTC(2040, 0, 1)))).toBe(intl.format(new Date(Date.UTC(2040, 0, 1))));
  });

  it('formats leap days and four-digit years', () => {
    expect(jakartaDate(wib('2028-02-29T12:00:00'))).toBe('2028-02-29');
    expect(jakartaDate(wib('2100-03-01T00:00:00'))).toBe('2100-03-01');
    expect(jakartaDate(wib('0999-12-31T23:00:00'))).toBe('0999-12-31');
  });

  it('rejects an invalid Date', () => {
    expect(() => jakartaDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('is Monday to Friday', () => {
    expect(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'].map((d) => isWorkingDay(d, NONE))).toEqual([true, true, true, true, true]);
    expect(isWorkingDay('2026-11-28', NONE)).toBe(false);
    expect(isWorkingDay('2026-11-29', NONE)).toBe(false);
  });

  it('excludes holidays and cuti bersama of the calendar', () => {
    expect(isWorkingDay('2026-12-25', CALENDAR)).toBe(false);
    expect(isWorkingDay('2026-12-24', CALENDAR)).toBe(false);
    expect(isWorkingDay('2026-12-25', NONE)).toBe(true);
    expect(isWorkingDay('2026-12-23', CALENDAR)).toBe(true);
  });

  it('asks the calendar about weekdays only', () => {
    const asked: string[] = [];
    const spy: HolidayCalendar = { isHoliday: (date) => (asked.push(date), false) };
    countWorkingDays(wib('2026-11-26T10:00:00'), wib('2026-12-01T10:00:00'), spy);
    expect(asked).toEqual(['2026-11-27', '2026-11-30', '2026-12-01']);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-5', '2026-01-05T00:00', '', '2026-00-10', '2026-04-31'])('rejects %p', (date) => {
    expect(() => isWorkingDay(date, NONE)).toThrow(RangeError);
  });
});

describe('calendarOf', () => {
  it('takes any iterable', () => {
    function* dates() {
      yield '2026-12-25';
    }
    expect(isWorkingDay('2026-12-25', calendarOf(dates()))).toBe(false);
    expect(isWorkingDay('2026-12-25', calendarOf(new Set(['2026-12-25'])))).toBe(false);
  });

  it('rejects dates that would silently never match', () => {
    expect(() => calendarOf(['2026-12-25', '2026-3-20'])).toThrow(RangeError);
    expect(() => calendarOf(['2027-02-29'])).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('ends at 23:59:59.999 Jakarta time of the Nth working day, the start day not counting', () => {
    const deadline = addWorkingDays(wib('2026-11-23T10:00:00'), 3, NONE);
    expect(deadline.toISOString()).toBe('2026-11-26T16:59:59.999Z');
    expect(addWorkingDays(wib('2026-11-23T00:00:00'), 1, NONE)).toEqual(endOf('2026-11-24'));
    expect(addWorkingDays(wib('2026-11-23T23:59:59.999'), 1, NONE)).toEqual(endOf('2026-11-24'));
  });

  it('skips weekends', () => {
    expect(addWorkingDays(wib('2026-11-26T10:00:00'), 3, NONE)).toEqual(endOf('2026-12-01'));
    expect(addWorkingDays(wib('2026-11-27T10:00:00'), 5, NONE)).toEqual(endOf('2026-12-04'));
    expect(addWorkingDays(wib('2026-11-27T10:00:00'), 10, NONE)).toEqual(endOf('2026-12-11'));
  });

  it('counts a Saturday or Sunday submission from Monday as day 1', () => {
    expect(addWorkingDays(wib('2026-11-28T09:00:00'), 1, NONE)).toEqual(endOf('2026-11-30'));
    expect(addWorkingDays(wib('2026-11-29T21:00:00'), 3, NONE)).toEqual(endOf('2026-12-02'));
  });

  it('uses the Jakarta date of an instant that is still the previous day in UTC', () => {
    // Saturday 01:30 in Jakarta, Friday 18:30 UTC: the weekend rule applies.
    expect(addWorkingDays(new Date('2026-11-27T18:30:00Z'), 0, NONE)).toEqual(endOf('2026-11-30'));
    expect(addWorkingDays(new Date('2026-11-27T18:30:00Z'), 1, NONE)).toEqual(endOf('2026-11-30'));
    // Thursday 01:30 in Jakarta, Wednesday in UTC: day 1 is Friday, not Thursday.
    expect(addWorkingDays(new Date('2026-11-25T18:30:00Z'), 1, NONE)).toEqual(endOf('2026-11-27'));
    // Friday 23:30 in Jakarta is still Friday.
    expect(addWorkingDays(new Date('2026-11-27T16:30:00Z'), 0, NONE)).toEqual(endOf('2026-11-27'));
  });

  it('skips holidays and cuti bersama', () => {
    // Thu 24 Dec cuti bersama, Fri 25 Dec Christmas.
    expect(addWorkingDays(wib('2026-12-23T15:00:00'), 1, CALENDAR)).toEqual(endOf('2026-12-28'));
    expect(addWorkingDays(wib('2026-12-23T15:00:00'), 3, CALENDAR)).toEqual(endOf('2026-12-30'));
    expect(addWorkingDays(wib('2026-12-23T15:00:00'), 3, NONE)).toEqual(endOf('2026-12-28'));
    // A submission on a holiday counts from the next working day, like a weekend one.
    expect(addWorkingDays(wib('2026-12-25T08:00:00'), 1, CALENDAR)).toEqual(endOf('2026-12-28'));
  });

  it('crosses the year boundary with New Year a holiday', () => {
    expect(addWorkingDays(wib('2026-12-31T14:00:00'), 1, CALENDAR)).toEqual(endOf('2027-01-04'));
    expect(addWorkingDays(wib('2026-12-31T14:00:00'), 3, CALENDAR)).toEqual(endOf('2027-01-06'));
    expect(addWorkingDays(wib('2026-12-30T14:00:00'), 2, CALENDAR)).toEqual(endOf('2027-01-04'));
    expect(addWorkingDays(wib('2026-12-31T14:00:00'), 1, NONE)).toEqual(endOf('2027-01-01'));
  });

  it('jumps the Nyepi and Idul Fitri 1447 H streak of holidays and cuti bersama', () => {
    // 18–24 March 2026: cuti Nyepi, Nyepi, cuti, Idul Fitri on the weekend, cuti, cuti.
    expect(addWorkingDays(wib('2026-03-17T09:00:00'), 1, CALENDAR)).toEqual(endOf('2026-03-25'));
    expect(addWorkingDays(wib('2026-03-17T09:00:00'), 3, CALENDAR)).toEqual(endOf('2026-03-27'));
    expect(addWorkingDays(wib('2026-03-20T09:00:00'), 0, CALENDAR)).toEqual(endOf('2026-03-25'));
    expect(addWorkingDays(wib('2026-03-16T09:00:00'), 5, CALENDAR)).toEqual(endOf('2026-03-30'));
    expect(addWorkingDays(wib('2026-03-16T09:00:00'), 5, NONE)).toEqual(endOf('2026-03-23'));
  });

  it('treats 0 days as the end of the start day, or of the next working day when the start day is closed', () => {
    expect(addWorkingDays(wib('2026-11-27T08:00:00'), 0, NONE)).toEqual(endOf('2026-11-27'));
    expect(addWorkingDays(wib('2026-11-28T08:00:00'), 0, NONE)).toEqual(endOf('2026-11-30'));
    expect(addWorkingDays(wib('2026-12-24T08:00:00'), 0, CALENDAR)).toEqual(endOf('2026-12-28'));
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5])('rejects %p days', (days) => {
    expect(() => addWorkingDays(wib('2026-11-27T08:00:00'), days, NONE)).toThrow(RangeError);
  });

  it('rejects an invalid start', () => {
    expect(() => addWorkingDays(new Date(Number.NaN), 1, NONE)).toThrow(RangeError);
  });

  it('throws instead of looping when every day is a holiday', () => {
    const closed: HolidayCalendar = { isHoliday: () => true };
    expect(() => addWorkingDays(wib('2026-11-27T08:00:00'), 1, closed)).toThrow(/within 3660 calendar days/);
    expect(() => addWorkingDays(wib('2026-11-27T08:00:00'), 0, closed)).toThrow(RangeError);
  });

  it(`finds deadlines up to ${WORKING_DAY_SCAN_LIMIT} calendar days away and no further`, () => {
    const start = wib('2026-11-27T08:00:00');
    expect(countWorkingDays(start, addWorkingDays(start, 2000, NONE), NONE)).toBe(2000);
    expect(() => addWorkingDays(start, 3000, NONE)).toThrow(RangeError);
  });

  it('leaves the start instant alone', () => {
    const start = wib('2026-11-27T08:00:00');
    addWorkingDays(start, 5, CALENDAR);
    expect(start.toISOString()).toBe('2026-11-27T01:00:00.000Z');
  });
});

describe('countWorkingDays', () => {
  it('counts working days after the start date up to and including the end date', () => {
    expect(countWorkingDays(wib('2026-11-27T10:00:00'), wib('2026-11-30T10:00:00'), NONE)).toBe(1);
    expect(countWorkingDays(wib('2026-11-23T10:00:00'), wib('2026-11-27T00:00:00'), NONE)).toBe(4);
    expect(countWorkingDays(wib('2026-11-28T10:00:00'), wib('2026-11-29T10:00:00'), NONE)).toBe(0);
  });

  it('is 0 on the same day and when the end is before the start', () => {
    expect(countWorkingDays(wib('2026-11-23T08:00:00'), wib('2026-11-23T23:00:00'), NONE)).toBe(0);
    expect(countWorkingDays(wib('2026-11-27T08:00:00'), wib('2026-11-20T08:00:00'), NONE)).toBe(0);
  });

  it('reads both ends in Jakarta time', () => {
    // Friday 23:30 → Saturday 01:30 in Jakarta (both Friday in UTC): nothing.
    expect(countWorkingDays(new Date('2026-11-27T16:30:00Z'), new Date('2026-11-27T18:30:00Z'), NONE)).toBe(0);
    // Wednesday 23:30 → Thursday 01:30 in Jakarta: Thursday counts.
    expect(countWorkingDays(new Date('2026-11-25T16:30:00Z'), new Date('2026-11-25T18:30:00Z'), NONE)).toBe(1);
  });

  it('finds 240 working days in 2026 (261 weekdays less 21 weekday holidays)', () => {
    expect(countWorkingDays(wib('2025-12-31T12:00:00'), wib('2026-12-31T12:00:00'), NONE)).toBe(261);
    expect(countWorkingDays(wib('2025-12-31T12:00:00'), wib('2026-12-31T12:00:00'), CALENDAR)).toBe(240);
    expect(countWorkingDays(wib('2026-03-17T12:00:00'), wib('2026-03-24T12:00:00'), CALENDAR)).toBe(0);
  });

  it('round-trips addWorkingDays, and the deadline is the earliest such day', () => {
    const times = ['00:00:00', '08:00:00', '16:59:59', '23:59:59.999'];
    let checked = 0;
    // Every day from December 2025 to January 2027, four times of day, 1–25 working days.
    for (let day = Date.UTC(2025, 11, 1); day <= Date.UTC(2027, 0, 31); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      for (const time of times) {
        const start = wib(`${date}T${time}`);
        for (let n = 1; n <= 25; n++) {
          const deadline = addWorkingDays(start, n, CALENDAR);
          const dayBefore = new Date(deadline.getTime() - 86_400_000);
          if (
            countWorkingDays(start, deadline, CALENDAR) !== n ||
            countWorkingDays(start, dayBefore, CALENDAR) !== n - 1 ||
            !isWorkingDay(jakartaDate(deadline), CALENDAR) ||
            deadline.getTime() !== endOf(jakartaDate(deadline)).getTime()
          ) {
            throw new Error(`${start.toISOString()} + ${n} → ${deadline.toISOString()}`);
          }
          checked++;
        }
        const sameDay = addWorkingDays(start, 0, CALENDAR);
        expect(countWorkingDays(start, sameDay, CALENDAR)).toBe(isWorkingDay(date, CALENDAR) ? 0 : 1);
      }
    }
    expect(checked).toBe(427 * times.length * 25);
  });
});

describe('addCalendarDays', () => {
  it('ends at the end of the Jakarta day that many days after the start date', () => {
    expect(addCalendarDays(wib('2026-11-28T08:00:00'), 60)).toEqual(endOf('2027-01-27'));
    expect(addCalendarDays(wib('2026-11-28T08:00:00'), 0)).toEqual(endOf('2026-11-28'));
    expect(addCalendarDays(wib('2028-02-28T08:00:00'), 1)).toEqual(endOf('2028-02-29'));
  });

  it('counts from the Jakarta date, not the UTC one', () => {
    expect(addCalendarDays(new Date('2026-11-27T18:30:00Z'), 60)).toEqual(endOf('2027-01-27'));
    expect(addCalendarDays(new Date('2026-11-27T16:30:00Z'), 60)).toEqual(endOf('2027-01-26'));
  });

  it.each([-1, 0.5, Number.NaN])('rejects %p days', (days) => {
    expect(() => addCalendarDays(wib('2026-11-28T08:00:00'), days)).toThrow(RangeError);
  });
});
