import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AddCommentCommand,
  AttachmentResponse,
  COMPLAINT_ACTIONS,
  COMPLAINT_DEADLINES,
  COMPLAINT_OPEN_STATUSES,
  ComplaintAction,
  ComplaintActionCommand,
  ComplaintResponse,
  CommentResponse,
  FileComplaintRequest,
  ListComplaintsRequest,
  ListPublicComplaintsRequest,
  CountedTotal,
  Page,
  pageOf,
  PublicComplaintResponse,
  RateComplaintCommand,
} from '@smart-regency/contracts';
import {
  addCalendarDays,
  addWorkingDays,
  ANONYMOUS_ACTOR,
  auditChanges,
  AuditEntry,
  AuditTrail,
  CalendarReadModel,
  DailyLimit,
  DomainError,
  EventRecorder,
  hasRole,
  IdempotentWrites,
  jakartaDate,
  countedPage,
  ListStatements,
  queryRows,
  SequenceBlocks,
  STAFF_ROLES,
  SYSTEM_ACTOR,
  WriteStatement,
} from '@smart-regency/platform';
import { DataSource, EntityManager } from 'typeorm';
import { publicAttachments } from '../attachments/attachments.service';
import { CategoryCatalogue } from '../categories/category-catalogue';
import { ComplaintsConfig } from '../config';
import { Complaint, ComplaintComment } from './complaint.entity';
import { LaporRepository } from '../lapor/lapor.repository';
import { decideForward, forwardRefusal, laporStateOf } from '../lapor/lapor.rules';
import { COMPLAINT_LAPOR_COLUMNS, COMPLAINT_LIST_COLUMNS, ComplaintListScope, complaintListStatements, ListedFiles } from './complaint-list';
import { eventPlace, publicPoint } from './place';
import { AUDITED_FIELDS, decide } from './complaint.rules';
import { decideComment, decideRating } from './complaint-feedback.rules';
import { canSeeComplaint, inThread, showsReporter } from './complaint-access';
import { ComplaintsRepository } from './complaints.repository';
import { findComplaint } from './complaint-rows';

/** The columns a response is made of (COMPLAINT_LIST_COLUMNS; the LAPOR! ones everywhere but on public lists). */
export type ListedComplaint = Pick<Complaint, (typeof COMPLAINT_LIST_COLUMNS)[number][1]> & Partial<Pick<Complaint, (typeof COMPLAINT_LAPOR_COLUMNS)[number][1]>>;

const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
const notFound = () => new DomainError('COMPLAINTS.COMPLAINT_NOT_FOUND', 'complaint not found');

/** Audit row fields for a complaint: an anonymous reporter is not named in the trail, which auditors read. */
export function auditOf(c: Complaint, actor: Actor | null): Pick<AuditEntry, 'entityType' | 'entityId' | 'subjectId' | 'actor'> {
  const anonymous = c.visibility === 'anonymous';
  return {
    entityType: 'complaint',
    entityId: c.id,
    subjectId: anonymous ? null : c.reporterId,
    actor: !actor ? SYSTEM_ACTOR : anonymous && actor.id === c.reporterId ? ANONYMOUS_ACTOR : actor,
  };
}

export function isComplaintOverdue(c: Pick<Complaint, 'status' | 'dueAt'>, now = new Date()): boolean {
  return COMPLAINT_OPEN_STATUSES.includes(c.status) && !!c.dueAt && c.dueAt < now;
}

/** A complaint for those who may see it (the reporter, handling staff, coordinators, auditors): never for public routes. */
export function toComplaintResponse(c: ListedComplaint, actor: Actor): ComplaintResponse {
  const lapor = laporStateOf(c);
  return {
    id: c.id,
    trackingNumber: c.trackingNumber,
    categoryCode: c.categoryCode,
    title: c.title,
    description: c.description,
    location: c.location,
    visibility: c.visibility,
    status: c.status,
    ...(c.agencyId ? { agencyId: c.agencyId } : {}),
    ...(showsReporter(actor, c) ? { reporterId: c.reporterId } : {}),
    dueAt: iso(c.dueAt),
    finalDueAt: c.finalDueAt.toISOString(),
    overdue: isComplaintOverdue(c),
    ...(c.answer ? { answer: c.answer } : {}),
    ...(c.rating ? { rating: c.rating } : {}),
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    resolvedAt: iso(c.resolvedAt),
    closedAt: iso(c.closedAt),
    ...(lapor ? { lapor } : {}),
  };
}

export function toPublicComplaint(c: ListedComplaint): PublicComplaintResponse {
  const anonymous = c.visibility === 'anonymous';
  return {
    trackingNumber: c.trackingNumber,
    ...publicPoint(c.location, c.visibility),
    ...(c.location.address && !anonymous ? { address: c.location.address } : {}),
    categoryCode: c.categoryCode,
    title: c.title,
    description: c.description,
    status: c.status,
    updatedAt: c.updatedAt.toISOString(),
    dueAt: iso(c.dueAt),
    ...(c.location.district ? { district: c.location.district } : {}),
    ...(c.location.village ? { village: c.location.village } : {}),
    ...(c.agencyId ? { agencyId: c.agencyId } : {}),
    ...(c.answer ? { answer: c.answer } : {}),
    createdAt: c.createdAt.toISOString(),
    resolvedAt: iso(c.resolvedAt),
  };
}

const withFiles = (c: PublicComplaintResponse, files: AttachmentResponse[] | undefined): PublicComplaintResponse => (files?.length ? { ...c, attachments: files } : c);

@Injectable()
export class ComplaintsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly calendar: CalendarReadModel,
    private readonly idempotency: IdempotentWrites,
    private readonly audit: AuditTrail,
    private readonly categories: CategoryCatalogue,
    private readonly lapor: LaporRepository,
    private readonly complaints: ComplaintsRepository,
    config: ComplaintsConfig,
  ) {
    this.numbers = new SequenceBlocks(db, 'complaint_number_seq');
    this.filings = new DailyLimit('filing', config.CITIZEN_FILINGS_PER_DAY, 'COMPLAINTS.DAILY_FILING_LIMIT');
    this.commentsPerDay = new DailyLimit('comment', config.CITIZEN_COMMENTS_PER_DAY, 'COMPLAINTS.DAILY_COMMENT_LIMIT');
  }

  /** Complaints a citizen may file per day. */
  private readonly filings: DailyLimit;

  /** Comments a citizen may add per day: each is up to 5,000 characters, kept for good and read back whole with the thread. */
  private readonly commentsPerDay: DailyLimit;

  /** Tracking numbers, a block of the sequence's increment at a time. */
  private readonly numbers: SequenceBlocks;

  async file(actor: Actor, request: FileComplaintRequest, idempotencyKey?: string): Promise<ComplaintResponse> {
    const category = await this.categories.open(request.categoryCode);
    if (!category) {
      throw new DomainError('COMPLAINTS.CATEGORY_NOT_FOUND', `no open category ${request.categoryCode}`, [
        { field: 'categoryCode', message: 'unknown category', rule: 'exists' },
      ]);
    }
    const now = new Date();
    const calendar = await this.calendar.around(now);
    // The number first (from this process's block), so the event and the audit row can carry it
    // and filing is one statement: no BEGIN, no COMMIT, one round trip.
    const number = await this.numbers.take();
    const complaint = this.db.getRepository(Complaint).create({
      id: randomUUID(),
      trackingNumber: `LPR-${jakartaDate(now).slice(0, 4)}-${number.padStart(6, '0')}`,
      categoryCode: category.code,
      reporterId: actor.id,
      title: request.title,
      description: request.description,
      location: { ...request.location },
      district: request.location.district ?? null,
      visibility: request.visibility,
      status: 'received',
      agencyId: category.agencyId,
      dueAt: addWorkingDays(now, COMPLAINT_DEADLINES.verificationWorkingDays, calendar),
      finalDueAt: addCalendarDays(now, COMPLAINT_DEADLINES.finalCalendarDays),
      escalatedStages: [],
      answer: null,
      resolvedAt: null,
      closedAt: null,
      rating: null,
      ratingComment: null,
      version: 1,
    });
    // The complaint and its first history row; `allowed` takes one of the citizen's filings for the
    // day (DailyLimit), or fails the statement. Its event and audit row follow.
    const w = new WriteStatement();
    const allowed = this.filings.condition(actor, w.ref('reporterId', complaint.reporterId), w.values);
    w.with(
      'c',
      `INSERT INTO complaints (id, tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id, due_at, final_due_at, version)
       SELECT :id::uuid, :trackingNumber, :categoryCode, :reporterId::uuid, :title, :description, :location::jsonb, :district, :visibility, 'received', :agencyId::uuid, :dueAt::timestamptz, :finalDueAt::timestamptz, 1
       WHERE ${allowed}
       RETURNING id, status, reporter_id, created_at, updated_at`,
      { ...complaint, location: JSON.stringify(complaint.location) },
    ).with(
      'h',
      // The filer's role is the one file() is open to (citizen, or integrator for Open311: notifications
      // reads it); a filing is never the system's.
      `INSERT INTO complaint_history (complaint_id, action, from_status, to_status, actor_id, actor_role, note)
       SELECT id, 'file', NULL, status, reporter_id, :filerRole, NULL FROM c`,
      { filerRole: actor.roles[0] },
    );
    const audited = this.audit.pending({ action: 'complaint.file', ...auditOf(complaint, actor), changes: auditChanges(null, complaint, { only: AUDITED_FIELDS }) });
    w.record(
      this.events,
      [
        {
          type: 'complaints.complaint.received.v1',
          data: {
            complaintId: complaint.id,
            trackingNumber: complaint.trackingNumber,
            categoryCode: complaint.categoryCode,
            agencyId: category.agencyId,
            visibility: complaint.visibility,
            location: eventPlace(complaint.location, complaint.visibility),
            dueAt: complaint.dueAt!.toISOString(),
            finalDueAt: complaint.finalDueAt.toISOString(),
          },
        },
      ],
      audited,
    );
    const { text: statement, values: params } = w.select(`created_at AS "createdAt", updated_at AS "updatedAt" FROM c`);
    const stored = (rows: Array<Pick<Complaint, 'createdAt' | 'updatedAt'>>) => {
      Object.assign(complaint, { createdAt: rows[0].createdAt, updatedAt: rows[0].updatedAt });
      return toComplaintResponse(complaint, actor);
    };
    if (!idempotencyKey) {
      const rows = await this.filings.guard(() => queryRows<Pick<Complaint, 'createdAt' | 'updatedAt'>>(this.db, statement, params));
      this.events.committed();
      return stored(rows);
    }
    // A retry answered from its key takes nothing more.
    return this.filings.guard(() =>
      this.idempotency.run('complaints.complaint.file', actor.id, idempotencyKey, request, async (m) => {
        const rows = await m.query(statement, params);
        this.events.committed(m);
        return stored(rows);
      }),
    );
  }

  /** A person's lifecycle action, answered as that person sees the complaint. */
  async act(actor: Actor, command: ComplaintActionCommand): Promise<ComplaintResponse> {
    return toComplaintResponse(await this.step(actor, command), actor);
  }

  /** The system's own lifecycle action (the scheduled auto-close): nobody asked, so nobody is answered. */
  async actAsSystem(command: ComplaintActionCommand): Promise<void> {
    await this.step(null, command);
  }

  /** A lifecycle action (`actor` null: the system's): lock, decide (complaint.rules.ts), commit (one statement). */
  private async step(actor: Actor | null, command: ComplaintActionCommand): Promise<Complaint> {
    if (!COMPLAINT_ACTIONS.includes(command.action as ComplaintAction)) {
      throw new DomainError('COMPLAINTS.UNKNOWN_ACTION', `unknown action ${command.action}`, [{ field: 'action', message: 'unknown action', rule: 'isIn' }]);
    }
    const now = new Date();
    const calendar = await this.calendar.around(now);
    return this.db.transaction(async (m) => {
      const c = await findComplaint(m, { id: command.id }, { lock: true });
      if (!c || (actor && !canSeeComplaint(actor, c))) throw notFound();
      const decision = decide(c, command, actor, { now, calendar });
      const stored = await this.complaints.commitAction(m, decision, auditOf(decision.next, actor));
      const next = Object.assign(decision.next, stored);
      if (decision.action === 'verify') await this.forwardByCategory(m, next, actor, now);
      return next;
    });
  }

  /**
   * A verified complaint of a category that forwards to SP4N-LAPOR! is forwarded in the verification's
   * transaction (unless someone forwarded it already), as if requested by the category; the
   * verification's new version covers it.
   */
  private async forwardByCategory(m: EntityManager, c: Complaint, actor: Actor | null, at: Date): Promise<void> {
    const category = await this.categories.find(c.categoryCode, m);
    if (!category?.forwardToLapor || forwardRefusal(c)) return;
    const change = decideForward(c, { kind: 'category', actor }, undefined, at);
    const { eventId } = await this.lapor.commit(m, { complaintId: c.id, change, audit: auditOf(c, actor), newVersion: false });
    Object.assign(c, change.set, { laporRequestEventId: eventId });
  }

  async get(actor: Actor, id: string): Promise<ComplaintResponse> {
    const c = await findComplaint(this.db.manager, { id });
    if (!c || !canSeeComplaint(actor, c)) throw notFound();
    const response = toComplaintResponse(c, actor);
    const steps: Array<{ action: string; from_status: string | null; to_status: string; actor_role: string; note: string | null; at: Date }> = await this.db.query(
      `SELECT action, from_status, to_status, actor_role, note, at FROM complaint_history WHERE complaint_id = $1 ORDER BY seq`,
      [id],
    );
    response.history = steps.map((h) => ({ action: h.action, fromStatus: h.from_status, toStatus: h.to_status, actorRole: h.actor_role, note: h.note, at: h.at.toISOString() }));
    // Staff who see who reported it: who looked is part of the trail.
    if (actor.id !== c.reporterId && response.reporterId) await this.audit.recordRead(auditOf(c, actor));
    return response;
  }

  /**
   * Staff, admins and auditors seeing complaints (what and where, who reported) in a list: one audit
   * row per page. An anonymous complaint's reporter is not named (see auditOf); a citizen's own
   * list is not recorded.
   */
  private auditListed(actor: Actor, query: ListComplaintsRequest, rows: ReadonlyArray<Pick<Complaint, 'id' | 'reporterId' | 'visibility'>>): Promise<void> {
    if (!rows.some((c) => c.reporterId !== actor.id)) return Promise.resolve();
    const subjects = rows.filter((c) => c.visibility !== 'anonymous' && c.reporterId !== actor.id).map((c) => c.reporterId);
    return this.audit.recordList({ entityType: 'complaint', query, records: rows.map((c) => c.id), subjects });
  }

  async list(actor: Actor, query: ListComplaintsRequest): Promise<Page<ComplaintResponse> & CountedTotal> {
    const scope: ComplaintListScope = hasRole(actor, ['admin', 'auditor'])
      ? { kind: 'all' }
      : hasRole(actor, STAFF_ROLES) && actor.agencyId
        ? { kind: 'agency', id: actor.agencyId }
        : { kind: 'reporter', id: actor.id };
    const { rows, ...counted } = await this.page(complaintListStatements(scope, query));
    await this.auditListed(actor, query, rows);
    return { ...pageOf(rows.map((c) => toComplaintResponse(c, actor)), counted.total, query), totalExact: counted.totalExact };
  }

  /** Public and anonymous complaints only; never the reporter; confidential ones do not exist here. */
  async listPublic(query: ListPublicComplaintsRequest): Promise<Page<PublicComplaintResponse> & CountedTotal> {
    const { rows, ...counted } = await this.page<ListedFiles>(complaintListStatements({ kind: 'public' }, query));
    // As toAttachmentResponse answers them.
    const files = (c: ListedFiles): AttachmentResponse[] | undefined =>
      c.files?.map((f) => ({
        id: f.id,
        contentType: f.contentType as AttachmentResponse['contentType'],
        size: f.size,
        sha256: f.sha256,
        ...(f.fileName ? { fileName: f.fileName } : {}),
        uploaderRole: f.uploaderRole,
        uploadedAt: new Date(f.uploadedAt).toISOString(),
      }));
    return { ...pageOf(rows.map((c) => withFiles(toPublicComplaint(c), files(c))), counted.total, query), totalExact: counted.totalExact };
  }

  private page<Extra = object>(sql: ListStatements): Promise<{ rows: Array<ListedComplaint & Extra> } & CountedTotal> {
    return countedPage<ListedComplaint & Extra>(this.db, sql);
  }

  async getPublic(trackingNumber: string): Promise<PublicComplaintResponse> {
    const c = await findComplaint(this.db.manager, { trackingNumber });
    if (!c || c.visibility === 'confidential') throw notFound();
    const files = await publicAttachments(this.db.manager, [c]);
    return withFiles(toPublicComplaint(c), files.get(c.id));
  }

  /** The thread between the reporter, the assigned agency and the coordinators. */
  private async threadOr404(m: EntityManager, actor: Actor, id: string): Promise<Complaint> {
    const c = await findComplaint(m, { id });
    if (!c || !inThread(actor, c)) throw notFound();
    return c;
  }

  async comments(actor: Actor, id: string): Promise<CommentResponse[]> {
    const c = await this.threadOr404(this.db.manager, actor, id);
    const rows = await this.db.getRepository(ComplaintComment).find({ where: { complaintId: id }, order: { at: 'ASC' } });
    // Staff reading what the reporter wrote: who looked is part of the trail.
    if (actor.id !== c.reporterId) await this.audit.recordRead({ action: 'comment.read', ...auditOf(c, actor), changes: { shown: rows.length } });
    return rows.map((r) => ({ id: r.id, authorRole: r.authorRole, body: r.body, at: r.at.toISOString() }));
  }

  /** A comment, its audit row and its `commented` event (which says the author's side, never who): complaint-feedback.rules.ts decides. */
  async addComment(actor: Actor, command: AddCommentCommand): Promise<CommentResponse> {
    const c = await this.threadOr404(this.db.manager, actor, command.id);
    const decision = decideComment(c, command, actor, { now: new Date(), id: randomUUID() });
    await this.complaints.commitComment(this.db.manager, decision, auditOf(c, actor), { limit: this.commentsPerDay, author: actor });
    const { comment } = decision;
    return { id: comment.id, authorRole: comment.authorRole, body: comment.body, at: comment.at.toISOString() };
  }

  /** The reporter rates the answer once, after resolution: lock, decide (complaint-feedback.rules.ts), commit (one statement). */
  async rate(actor: Actor, command: RateComplaintCommand): Promise<ComplaintResponse> {
    return this.db.transaction(async (m) => {
      const c = await findComplaint(m, { id: command.id }, { lock: true });
      if (!c || !canSeeComplaint(actor, c)) throw notFound();
      const decision = decideRating(c, command, actor);
      const stored = await this.complaints.commitRating(m, decision, auditOf(c, actor));
      return toComplaintResponse(Object.assign(decision.next, stored), actor);
    });
  }
}
