import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { complaintStage } from '@smart-regency/contracts';
import { EventRecorder, ScheduledJob } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { ComplaintsConfig } from '../config';
import { Complaint } from './complaint.entity';
import { ComplaintsService } from './complaints.service';

const JOBS_LOCK = 0x636f6d70;
const BATCH = 500;

/**
 * Escalates each missed deadline once (the stage's, and the 60-day cap) and closes answered
 * complaints nobody replied to within 10 working days. One replica runs a round at a time.
 */
@Injectable()
export class ComplaintJobs extends ScheduledJob {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly complaints: ComplaintsService,
    config: ComplaintsConfig,
  ) {
    super('ComplaintJobs', config.JOB_INTERVAL_MS);
  }

  async runOnce(now = new Date()): Promise<{ escalated: number; closed: number }> {
    const escalated = await this.db.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [JOBS_LOCK]);
      if (!locked) return 0;
      const late: Complaint[] = await m
        .getRepository(Complaint)
        .createQueryBuilder('c')
        .where(`c.status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened')`)
        // Only deadlines not escalated yet: escalated ones must not fill every batch and starve new ones.
        .andWhere(
          `((c.dueAt < :now AND NOT (CASE WHEN c.status IN ('received', 'verified') THEN 'verification' ELSE 'follow_up' END) = ANY(c.escalatedStages))
            OR (c.finalDueAt < :now AND NOT 'final' = ANY(c.escalatedStages)))`,
          { now },
        )
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      let count = 0;
      for (const c of late) {
        const stages: Array<[string, Date]> = [];
        const stage = complaintStage(c.status);
        if (stage && c.dueAt && c.dueAt < now && !c.escalatedStages.includes(stage)) stages.push([stage, c.dueAt]);
        if (c.finalDueAt < now && !c.escalatedStages.includes('final')) stages.push(['final', c.finalDueAt]);
        if (!stages.length || !c.agencyId) continue;
        await m.getRepository(Complaint).update(c.id, { escalatedStages: [...c.escalatedStages, ...stages.map(([s]) => s)] });
        for (const [s, dueAt] of stages) {
          await this.events.record(m, 'complaints.complaint.escalated.v1', { complaintId: c.id, agencyId: c.agencyId, stage: s, dueAt: dueAt.toISOString() });
          count++;
        }
      }
      return count;
    });
    const silent: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM complaints WHERE status = 'resolved' AND due_at < $1 ORDER BY due_at LIMIT $2`,
      [now, BATCH],
    );
    let closed = 0;
    for (const { id } of silent) {
      await this.complaints.actAsSystem({ id, action: 'close', note: 'Ditutup otomatis: tidak ada tanggapan pelapor dalam 10 hari kerja' }).then(
        () => closed++,
        () => undefined,
      );
    }
    if (escalated || closed) this.logger.log(`escalated ${escalated}, closed ${closed}`);
    return { escalated, closed };
  }
}
