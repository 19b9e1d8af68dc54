import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PublicSummaryResponse } from '@smart-regency/contracts';
import { DataSource } from 'typeorm';

const OPEN_PERMIT_STATUSES = ['submitted', 'verified', 'recommended', 'revision_requested', 'awaiting_payment', 'approved'];

const num = (v: unknown): number => Number(v ?? 0);
const pct = (part: unknown, whole: unknown): number | null =>
  num(whole) === 0 ? null : Math.round((num(part) / num(whole)) * 1000) / 10;

@Injectable()
export class SummaryService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Open-data figures over all time; figures stay zero until events have been projected. */
  async publicSummary(): Promise<PublicSummaryResponse> {
    const [[c], [p], [s]] = await Promise.all([
      this.db.query(`
        SELECT count(*) AS received,
               count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
               count(*) FILTER (WHERE status NOT IN ('closed', 'rejected')) AS open,
               count(*) FILTER (WHERE resolved_at IS NOT NULL AND NOT deadline_missed) AS on_time,
               avg(rating) AS avg_rating
          FROM complaint_facts`),
      this.db.query(
        `SELECT count(*) AS submitted,
                count(*) FILTER (WHERE issued_at IS NOT NULL) AS issued,
                count(*) FILTER (WHERE status = ANY($1)) AS in_process,
                count(*) FILTER (WHERE decided_at IS NOT NULL) AS decided,
                count(*) FILTER (WHERE decided_at IS NOT NULL AND NOT deadline_missed) AS on_time
           FROM permit_facts`,
        [OPEN_PERMIT_STATUSES],
      ),
      this.db.query(`SELECT max(last_event_time) AS as_of FROM projection_state`),
    ]);
    return {
      asOf: s.as_of ? new Date(s.as_of).toISOString() : null,
      complaints: {
        received: num(c.received),
        resolved: num(c.resolved),
        open: num(c.open),
        slaCompliancePct: pct(c.on_time, c.resolved),
        averageRating: c.avg_rating === null ? null : Math.round(Number(c.avg_rating) * 100) / 100,
      },
      permits: {
        submitted: num(p.submitted),
        issued: num(p.issued),
        inProcess: num(p.in_process),
        slaCompliancePct: pct(p.on_time, p.decided),
      },
    };
  }
}
