import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, CalendarResponse, PutCalendarCommand } from '@smart-regency/contracts';
import { auditChanges, AuditTrail, calendarOf, DomainError, EventRecorder, jakartaDate, WriteStatement } from '@smart-regency/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CalendarYear, HolidayRow } from './holiday.entity';
import { holidaysOf } from './holidays.seed';
import { OneAtATime, retried, unlessChanged } from '../single-statement';

const SEED_LOCK = 0x63616c65;

@Injectable()
export class CalendarService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Calendar');
  private readonly changes = new OneAtATime();

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
    const holidays: Array<{ date: string; name: string }> = await this.db.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, name FROM holidays WHERE year = $1 ORDER BY date`, [year]);
    return { year, holidays };
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
    const after = [...command.holidays].sort((a, b) => a.date.localeCompare(b.date)).map(({ date, name }) => ({ date, name }));
    await this.changes.run(String(command.year), () => retried(() => this.replace(command.year, after, actor), `the ${command.year} calendar`));
    return { year: command.year, holidays: after };
  }

  /**
   * The year's days, its event and its audit row in one statement, which goes through only if the
   * year is still as read (`calendar_years.xmin`, or still absent): two admins' corrections follow
   * each other and the last event carries the days that stay. The days are upserted and the others
   * deleted, so no row is both (the parts of one statement do not see each other's changes).
   */
  private async replace(year: number, after: Array<{ date: string; name: string }>, actor: Actor): Promise<void> {
    const [read]: Array<{ version: string | null; before: Array<{ date: string; name: string }> }> = await this.db.query(
      `SELECT (SELECT xmin::text FROM calendar_years WHERE year = $1) AS version,
              coalesce((SELECT json_agg(json_build_object('date', to_char(date, 'YYYY-MM-DD'), 'name', name) ORDER BY date) FROM holidays WHERE year = $1), '[]') AS before`,
      [year],
    );
    const dates = after.map((h) => h.date);
    const w = new WriteStatement()
      .with(
        'y',
        `INSERT INTO calendar_years AS c (year, source, updated_by, updated_at) VALUES (:year::int, 'admin', :by::uuid, now())
         ON CONFLICT (year) DO UPDATE SET source = EXCLUDED.source, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
         WHERE c.xmin = :version::xid RETURNING year`,
        { year, by: actor.id, version: read.version },
      )
      .with(
        'kept',
        `INSERT INTO holidays (date, year, name) SELECT d.date, y.year, d.name FROM y, unnest(:dates::date[], :names::varchar[]) AS d (date, name)
         ON CONFLICT (date) DO UPDATE SET name = EXCLUDED.name WHERE holidays.name IS DISTINCT FROM EXCLUDED.name`,
        { dates, names: after.map((h) => h.name) },
      )
      .with('dropped', `DELETE FROM holidays h USING y WHERE h.year = y.year AND h.date <> ALL (:dates::date[])`, { dates });
    const audited = this.audit.pending({ action: 'calendar.put', entityType: 'calendar', entityId: String(year), changes: auditChanges({ holidays: read.before }, { holidays: after }) });
    // Permits and complaints keep their copy from this event (the whole year; no personal data).
    w.record(this.events, [{ type: 'identity.calendar.changed.v1', data: { year, holidays: dates } }], audited);
    const { text, values } = w.select(unlessChanged('y'));
    await this.db.query(text, values);
    this.events.committed();
  }

  private async write(m: EntityManager, year: number, holidays: Array<{ date: string; name: string }>, source: 'seed' | 'admin', by: string | null) {
    await m.getRepository(CalendarYear).upsert({ year, source, updatedBy: by }, ['year']);
    await m.getRepository(HolidayRow).delete({ year });
    if (holidays.length) await m.getRepository(HolidayRow).insert(holidays.map((h) => ({ ...h, year })));
    // Permits and complaints keep their copy from this event (the whole year; no personal data).
    await this.events.record(m, 'identity.calendar.changed.v1', { year, holidays: holidays.map((h) => h.date).sort() });
  }
}
