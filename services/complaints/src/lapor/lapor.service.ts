import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  ComplaintResponse,
  ForwardLaporCommand,
  LaporReportResponse,
  RecordLaporForwardCommand,
  RecordLaporResult,
  RecordLaporUpdateCommand,
} from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CategoryCatalogue } from '../categories/category-catalogue';
import { Complaint } from '../complaints/complaint.entity';
import { findComplaint } from '../complaints/complaint-rows';
import { auditOf, toComplaintResponse } from '../complaints/complaints.service';
import { canSeeComplaint } from '../complaints/complaint-access';
import { publishedPlace } from '../complaints/place';
import { LaporRepository } from './lapor.repository';
import { agencyCodeOf, decideForward, decideOutcome, decideUpdate, forwardingRole, forwardRefusal } from './lapor.rules';

const notFound = (why = 'complaint not found') => new DomainError('COMPLAINTS.COMPLAINT_NOT_FOUND', why);

/** The answer for an unknown complaint: nothing to forward. */
const NO_REPORT: LaporReportResponse = {
  found: false,
  reference: '',
  trackingNumber: '',
  title: '',
  description: '',
  category: '',
  visibility: 'confidential',
  submittedAt: '',
};

/**
 * Forwarding complaints to SP4N-LAPOR!: the request (by a person, here; by a category, on verify in
 * ComplaintsService), what the notifications service's adapter sends, and the outcomes and
 * statuses it reports back. Each step locks the complaint, so concurrent answers apply once.
 */
@Injectable()
export class LaporService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lapor: LaporRepository,
    private readonly categories: CategoryCatalogue,
  ) {}

  private locked(m: EntityManager, id: string): Promise<Complaint | null> {
    return findComplaint(m, { id }, { lock: true });
  }

  /** `POST /complaints/:id/forward-lapor`: the head of the handling agency or a coordinator. */
  async forward(actor: Actor, command: ForwardLaporCommand): Promise<ComplaintResponse> {
    return this.db.transaction(async (m) => {
      const c = await this.locked(m, command.id);
      if (!c || !canSeeComplaint(actor, c)) throw notFound();
      if (command.ifMatch !== undefined && command.ifMatch !== c.version) {
        throw new DomainError('COMPLAINTS.VERSION_MISMATCH', `version is ${c.version}, not ${command.ifMatch}`);
      }
      const role = forwardingRole(actor, c);
      if (!role) throw new DomainError('COMPLAINTS.NOT_ALLOWED', 'forwarding to SP4N-LAPOR! is for the head of the handling agency or a coordinator');
      const refusal = forwardRefusal(c);
      if (refusal) throw refusal;
      const change = decideForward(c, { kind: 'person', actor, role }, command.note, new Date());
      const { version, eventId } = await this.lapor.commit(m, { complaintId: c.id, change, audit: auditOf(c, actor), newVersion: true });
      Object.assign(c, change.set, { laporRequestEventId: eventId, version });
      return toComplaintResponse(c, actor);
    });
  }

  /** What the adapter sends: what the public sees of the complaint, never who reported it. */
  async report(complaintId: string): Promise<LaporReportResponse> {
    const c = await findComplaint(this.db.manager, { id: complaintId });
    if (!c) return NO_REPORT;
    const category = await this.categories.find(c.categoryCode);
    const agencyCode = agencyCodeOf(c.agencyId);
    return {
      found: true,
      reference: c.id,
      trackingNumber: c.trackingNumber,
      title: c.title,
      description: c.description,
      category: category ? `${category.name} (${category.code})` : c.categoryCode,
      ...(agencyCode ? { agencyCode } : {}),
      location: publishedPlace(c.location, c.visibility),
      visibility: c.visibility,
      submittedAt: c.createdAt.toISOString(),
    };
  }

  /** The adapter's outcome, applied once per request event; a repeat or another request's answer changes nothing. */
  async recordForward(command: RecordLaporForwardCommand): Promise<RecordLaporResult> {
    return this.db.transaction(async (m) => {
      const c = await this.locked(m, command.complaintId);
      if (!c) throw notFound();
      const change = decideOutcome(c, command, new Date());
      if (!change) return { applied: false };
      await this.lapor.commit(m, { complaintId: c.id, change, audit: auditOf(c, null), newVersion: true });
      return { applied: true };
    });
  }

  /** A status the national channel reported for a forwarded complaint, applied once per (laporId, status, updatedAt). */
  async recordUpdate(command: RecordLaporUpdateCommand): Promise<RecordLaporResult> {
    return this.db.transaction(async (m) => {
      const c = await this.locked(m, command.complaintId);
      if (!c || c.laporId !== command.laporId) throw notFound(`no complaint ${command.complaintId} forwarded as ${command.laporId}`);
      const fresh: unknown[] = await m.query(
        `INSERT INTO complaint_lapor_updates (complaint_id, lapor_id, status, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
        [c.id, command.laporId, command.status, new Date(command.updatedAt)],
      );
      if (!fresh.length) return { applied: false };
      const change = decideUpdate(c, command, new Date());
      await this.lapor.commit(m, { complaintId: c.id, change, audit: auditOf(c, null), newVersion: true });
      return { applied: true };
    });
  }
}
