import { OnModuleInit, Provider } from '@nestjs/common';
import { RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { EventsRuntime } from '../events/events.module';
import { readModelProvider } from '../events/read-model-provider';
import { RpcClient } from '../nats/rpc-client';
import { calendarOf, HolidayCalendar, jakartaDate } from './working-days';

/** How long a replica keeps a year in memory before reading its table again (another replica may have taken the event). */
export const CALENDAR_MEMORY_MS = 30_000;

/**
 * A service's own copy of the regency's non-working days, kept from identity's
 * `identity.calendar.changed.v1` events (a durable consumer per service), so a deadline on the write
 * path never asks identity. A year the copy has never seen (a fresh install before the first event
 * arrives) is asked of identity once and kept; every change after that comes as an event.
 */
export class CalendarReadModel implements OnModuleInit {
  private readonly memory = new Map<number, { dates: string[]; at: number }>();

  /** The provider for a service's module: its durable consumer is `<service>-calendar`. */
  static for(service: string): Provider {
    return readModelProvider(CalendarReadModel, `${service}-calendar`);
  }

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly runtime: EventsRuntime,
    private readonly consumer: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.consume({
      name: this.consumer,
      filterSubject: 'identity.calendar.changed.v1',
      handler: (event: RegencyCloudEvent, m: EntityManager) => this.apply(m, event.data as { year: number; holidays: string[] }),
    });
  }

  /** Replaces a year with what identity now holds. */
  async apply(m: EntityManager, { year, holidays }: { year: number; holidays: string[] }): Promise<void> {
    await m.query(
      `INSERT INTO calendar_years (year, holidays, received_at) VALUES ($1, $2::date[], now())
       ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, received_at = now()`,
      [year, holidays],
    );
    this.memory.delete(year);
  }

  private async year(year: number): Promise<string[]> {
    const kept = this.memory.get(year);
    if (kept && Date.now() - kept.at < CALENDAR_MEMORY_MS) return kept.dates;
    const [row]: Array<{ holidays: string[] }> = await this.db.query(`SELECT to_json(holidays) AS holidays FROM calendar_years WHERE year = $1`, [year]);
    let dates = row?.holidays;
    if (!dates) {
      // Never seen: identity is asked once, and the answer kept (an event, when it comes, replaces it).
      const calendar = await this.rpc.send(SUBJECTS.identity.getCalendar, { year });
      dates = calendar.holidays.map((h) => h.date);
      await this.db.query(`INSERT INTO calendar_years (year, holidays, received_at) VALUES ($1, $2::date[], now()) ON CONFLICT (year) DO NOTHING`, [year, dates]);
    }
    this.memory.set(year, { dates, at: Date.now() });
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

export class CreateCalendarYears1767600000000 implements MigrationInterface {
  name = 'CreateCalendarYears1767600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE calendar_years (year int PRIMARY KEY, holidays date[] NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_years`);
  }
}

/** The table of a service that keeps the calendar (CalendarReadModel). */
export const CALENDAR_MIGRATIONS = [CreateCalendarYears1767600000000];
