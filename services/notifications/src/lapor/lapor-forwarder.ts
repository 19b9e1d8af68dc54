import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SUBJECTS } from '@smart-regency/contracts';
import { RpcClient } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { messageRetryDelays, NotificationsConfig } from '../config';
import { isTransient, nextDelay, QueueLoop } from '../messages/queue-loop';
import { LaporGateway } from './lapor-gateway';
import { ForwardRow, LaporStore } from './lapor.store';

/** Statuses after which SP4N-LAPOR! has nothing more to say about a report. */
const FINAL = new Set(['selesai', 'ditutup', 'ditolak', 'diarsipkan', 'closed', 'done', 'resolved', 'rejected', 'archived']);
const STOP_POLLING_AFTER_MS = 90 * 86_400_000;

/** Where the adapter is configured, or not (a regency without LAPOR_URL). */
export const LAPOR_GATEWAY = Symbol('LAPOR_GATEWAY');

/**
 * Makes the outbound call for each forward complaints asked for (one per request event), reports
 * the outcome back to complaints (which writes the history entry and the event), then reads the
 * report's status every LAPOR_POLL_SECONDS and passes each new one to complaints the same way.
 * The call is idempotent by the complaint's id at LAPOR!, and the outcome is reported until
 * complaints acknowledged it, so no step is lost to a crash or an outage.
 */
@Injectable()
export class LaporForwarder extends QueueLoop<ForwardRow> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly store = new LaporStore();
  private readonly delays: number[];

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly config: NotificationsConfig,
    private readonly gateway: LaporGateway | null,
  ) {
    super('LaporForwarder', 4, config.MESSAGE_POLL_MS);
    this.delays = messageRetryDelays(config);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  protected claim(limit: number): Promise<ForwardRow[]> {
    return this.store.claim(this.db, limit, this.config.MESSAGE_TIMEOUT_MS * 3 + 30_000);
  }

  protected async handle(row: ForwardRow): Promise<void> {
    if (row.status === 'pending') return this.forward(row);
    if (!row.reported) return this.report(row);
    return this.poll(row);
  }

  private get statusEveryMs(): number {
    return this.config.LAPOR_POLL_SECONDS * 1000;
  }

  private async forward(row: ForwardRow): Promise<void> {
    if (!this.gateway) return this.fail(row, 'SP4N-LAPOR! is not configured for this regency (LAPOR_URL)');
    let report;
    try {
      report = await this.rpc.send(SUBJECTS.complaints.laporReport, { complaintId: row.complaint_id });
    } catch (error) {
      return this.retry(row, `complaints: ${(error as Error).message}`, isTransient(error));
    }
    if (!report.found) return this.fail(row, 'the complaint no longer exists');
    const { found: _found, ...content } = report;
    const outcome = await this.gateway.forward(content);
    if (outcome.ok) {
      await this.store.update(this.db, row.request_event_id, { status: 'forwarded', lapor_id: outcome.laporId, reported: false, last_error: null, retry_step: 0 }, 0);
      return this.report({ ...row, status: 'forwarded', lapor_id: outcome.laporId, reported: false });
    }
    return this.retry(row, outcome.reason, !outcome.permanent, outcome.retryAfterMs);
  }

  /** A failure: after the retry schedule (or at once when retrying cannot help) the forward fails and complaints hears why. */
  private async retry(row: ForwardRow, reason: string, transient: boolean, retryAfterMs = 0): Promise<void> {
    const delay = transient ? nextDelay(this.delays, row.retry_step) : undefined;
    if (delay === undefined) return this.fail(row, transient ? `gave up after ${row.attempts} attempts: ${reason}` : reason);
    await this.store.update(this.db, row.request_event_id, { last_error: reason.slice(0, 500), retry_step: row.retry_step + 1 }, Math.max(delay, retryAfterMs));
  }

  private async fail(row: ForwardRow, reason: string): Promise<void> {
    await this.store.update(this.db, row.request_event_id, { status: 'failed', last_error: reason.slice(0, 500), reported: false }, 0);
    return this.report({ ...row, status: 'failed', last_error: reason.slice(0, 500), reported: false });
  }

  /** Tells complaints the outcome, until it acknowledges (a repeat changes nothing there). */
  private async report(row: ForwardRow): Promise<void> {
    const ok = row.status === 'forwarded';
    try {
      await this.rpc.send(SUBJECTS.complaints.recordLaporForward, {
        complaintId: row.complaint_id,
        requestEventId: row.request_event_id,
        ok,
        ...(ok ? { laporId: row.lapor_id! } : { reason: row.last_error ?? 'failed' }),
      });
    } catch (error) {
      this.logger.warn(`forward ${row.request_event_id}: reporting to complaints failed: ${(error as Error).message}`);
      await this.store.update(this.db, row.request_event_id, {}, this.delays[0] ?? 10_000);
      return;
    }
    await this.store.update(this.db, row.request_event_id, { reported: true, polling: ok }, this.statusEveryMs);
  }

  /** Reads the report's status at LAPOR! and passes a new one to complaints. */
  private async poll(row: ForwardRow): Promise<void> {
    if (!this.gateway || !row.lapor_id) return this.store.update(this.db, row.request_event_id, { polling: false }, 0);
    const outcome = await this.gateway.status(row.lapor_id);
    if (!outcome.ok) {
      this.logger.warn(`forward ${row.request_event_id}: reading its status failed: ${outcome.reason}`);
      return this.store.update(this.db, row.request_event_id, { last_error: outcome.reason.slice(0, 500), polling: !outcome.permanent }, this.statusEveryMs);
    }
    const s = outcome.status;
    if (s.status !== row.remote_status || s.updatedAt !== row.remote_updated_at) {
      try {
        await this.rpc.send(SUBJECTS.complaints.recordLaporUpdate, {
          complaintId: row.complaint_id,
          laporId: row.lapor_id,
          status: s.status.slice(0, 60),
          ...(s.statusText ? { statusText: s.statusText.slice(0, 500) } : {}),
          ...(s.response ? { response: s.response.slice(0, 4000) } : {}),
          updatedAt: s.updatedAt,
        });
      } catch (error) {
        this.logger.warn(`forward ${row.request_event_id}: passing a status to complaints failed: ${(error as Error).message}`);
        return this.store.update(this.db, row.request_event_id, {}, this.delays[0] ?? 10_000);
      }
    }
    const done = FINAL.has(s.status.toLowerCase()) || Date.now() - Date.parse(s.updatedAt) > STOP_POLLING_AFTER_MS;
    await this.store.update(this.db, row.request_event_id, { remote_status: s.status, remote_updated_at: s.updatedAt, last_error: null, polling: !done }, this.statusEveryMs);
  }
}
