import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, CalendarResponse, PutCalendarCommand } from '@smart-regency/contracts';
import { auditChanges, AuditTrail, calendarOf, DomainError, EventRecorder, jakartaDate } from '@smart-regency/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CalendarYear, HolidayRow } from './holiday.entity';
import { holidaysOf } from './holidays.seed';

const SEED_LOCK = 0x63616c65;

@Injectable()
export class CalendarService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Calendar');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditTrail,
    private readonly events: EventRecorder,
  ) {}

  /**
   * Seeds last year, this year and next from the shipped table, once per year; admins correct it
   * later. Last year too: windows that count back (reopening a complaint) cross New Year.
   */
  async onApplicationBootstrap(): Promise<void> {
    const year = Number(jakartaDate(new Date()).slice(0, 4));
    for (const y of [year - 1, year, year + 1]) await this.seed(y);
  }

  async seed(year: number): Promise<boolean> {
    const holidays = holidaysOf(year);
    if (!holidays.length) return false;
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
      if (await m.getRepository(CalendarYear).exist({ where: { year } })) return false;
      await this.write(m, year, holidays, 'seed', null);
      this.logger.log(`seeded the ${year} calendar with ${holidays.length} non-working days`);
      return true;
    });
  }

  async get(year: number): Promise<CalendarResponse> {
    const rows = await this.db.getRepository(HolidayRow).find({ where: { year }, order: { date: 'ASC' } });
    return { year, holidays: rows.map(({ date, name }) => ({ date, name })) };
  }

  /** Replaces a year's non-working days (an admin's correction after the year's SKB). */
  async put(command: PutCalendarCommand, actor: Actor): Promise<CalendarResponse> {
    const problems = command.holidays.flatMap((h, i) => {
      if (!h.date.startsWith(`${command.year}-`)) return [{ field: `holidays[${i}].date`, message: `must be in ${command.year}`, rule: 'year' }];
      try {
        calendarOf([h.date]);
      } catch {
        return [{ field: `holidays[${i}].date`, message: 'not a real date', rule: 'date' }];
      }
      return command.holidays.findIndex((o) => o.date === h.date) < i ? [{ field: `holidays[${i}].date`, message: 'listed twice', rule: 'unique' }] : [];
    });
    if (problems.length) throw new DomainError('IDENTITY.INVALID_CALENDAR', 'invalid holidays', problems);
    await this.db.transaction(async (m) => {
      const before = (await m.getRepository(HolidayRow).find({ where: { year: command.year }, order: { date: 'ASC' } })).map(({ date, name }) => ({ date, name }));
      await this.write(m, command.year, command.holidays, 'admin', actor.id);
      const after = [...command.holidays].sort((a, b) => a.date.localeCompare(b.date)).map(({ date, name }) => ({ date, name }));
      await this.audit.record(m, { action: 'calendar.put', entityType: 'calendar', entityId: String(command.year), changes: auditChanges({ holidays: before }, { holidays: after }) });
    });
    return this.get(command.year);
  }

  private async write(m: EntityManager, year: number, holidays: Array<{ date: string; name: string }>, source: 'seed' | 'admin', by: string | null) {
    await m.getRepository(CalendarYear).upsert({ year, source, updatedBy: by }, ['year']);
    await m.getRepository(HolidayRow).delete({ year });
    if (holidays.length) await m.getRepository(HolidayRow).insert(holidays.map((h) => ({ ...h, year })));
    // Permits and complaints keep their copy from this event (the whole year; no personal data).
    await this.events.record(m, 'identity.calendar.changed.v1', { year, holidays: holidays.map((h) => h.date).sort() });
  }
}
