import { Injectable } from '@nestjs/common';
import { SUBJECTS } from '@smart-regency/contracts';
import { RpcClient } from '../nats/rpc-client';
import { calendarOf, HolidayCalendar, jakartaDate } from './working-days';

const TTL_MS = 5 * 60 * 1000;

/**
 * The regency's non-working days, read from identity (the calendar's owner) and cached for a few
 * minutes per year, so a deadline never needs more than one request.
 */
@Injectable()
export class CalendarClient {
  private readonly years = new Map<number, { dates: string[]; at: number }>();

  constructor(private readonly rpc: RpcClient) {}

  private async year(year: number): Promise<string[]> {
    const cached = this.years.get(year);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.dates;
    const calendar = await this.rpc.send(SUBJECTS.identity.getCalendar, { year });
    const dates = calendar.holidays.map((h) => h.date);
    this.years.set(year, { dates, at: Date.now() });
    return dates;
  }

  /**
   * A calendar covering the year before `from`, its year and the following one: deadlines run
   * forward from now, and windows such as reopening count back into last year in January.
   */
  async around(from: Date): Promise<HolidayCalendar> {
    const year = Number(jakartaDate(from).slice(0, 4));
    const years = await Promise.all([this.year(year - 1), this.year(year), this.year(year + 1)]);
    return calendarOf(years.flat());
  }
}
