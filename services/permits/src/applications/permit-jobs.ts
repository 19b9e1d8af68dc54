import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventRecorder, ScheduledJob } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { PermitsConfig } from '../config';
import { Application } from './application.entity';
import { ApplicationsService } from './applications.service';

// One replica runs a round at a time; the others skip it.
const JOBS_LOCK = 0x7065726d;
const BATCH = 500;

/**
 * Scheduled work: flag applications that passed their deadline (one `overdue` event each) and
 * expire issued permits whose validity ended. Safe with several replicas.
 */
@Injectable()
export class PermitJobs extends ScheduledJob {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly applications: ApplicationsService,
    config: PermitsConfig,
  ) {
    super('PermitJobs', config.JOB_INTERVAL_MS);
  }

  /** One round; returns what it did. `now` is a parameter so tests can move the clock. */
  async runOnce(now = new Date()): Promise<{ overdue: number; expired: number }> {
    const overdue = await this.db.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [JOBS_LOCK]);
      if (!locked) return 0;
      const due: Application[] = await m
        .getRepository(Application)
        .createQueryBuilder('a')
        .where(`a.status IN ('submitted', 'verified', 'recommended')`)
        .andWhere('a.dueAt < :now', { now })
        .andWhere('a.overdueNotifiedAt IS NULL')
        .orderBy('a.dueAt', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const app of due) {
        await m.getRepository(Application).update(app.id, { overdueNotifiedAt: now });
        await this.events.record(m, 'permits.application.overdue.v1', { applicationId: app.id, agencyId: app.agencyId, dueAt: app.dueAt!.toISOString() });
      }
      return due.length;
    });
    const expiring: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM applications WHERE status = 'issued' AND expires_at < $1 ORDER BY expires_at LIMIT $2`,
      [now, BATCH],
    );
    let expired = 0;
    for (const { id } of expiring) {
      // The same transition as a person's action, taken by the system; a concurrent replica's
      // attempt finds the permit already expired and is refused by the table.
      await this.applications.act(null, { id, action: 'expire' }).then(
        () => expired++,
        () => undefined,
      );
    }
    if (overdue || expired) this.logger.log(`flagged ${overdue} overdue, expired ${expired}`);
    return { overdue, expired };
  }
}
