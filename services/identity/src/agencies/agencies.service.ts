import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgencyResponse, CreateAgencyRequest, EventData, ListAgenciesRequest, Page, pageOf, pageOffset, UpdateAgencyCommand } from '@smart-regency/contracts';
import { auditChanges, AuditTrail, DomainError, EventRecorder, WriteStatement } from '@smart-regency/platform';
import { randomUUID } from 'crypto';
import { QueryFailedError, Repository } from 'typeorm';
import { changeTime, OneAtATime, retried, unlessChanged } from '../single-statement';
import { Agency } from './agency.entity';

// An agency's name is public: recorded as it is.
const PUBLIC = { notPersonal: ['name'] };

export function toAgencyResponse(agency: Pick<Agency, 'id' | 'code' | 'name' | 'kind'>): AgencyResponse {
  return { id: agency.id, code: agency.code, name: agency.name, kind: agency.kind };
}

/** An agency as read before a change: `version` is the row's xmin, `changedMs` its updated_at. */
interface ReadAgency extends AgencyResponse {
  version: string;
  changedMs: number;
}

@Injectable()
export class AgenciesService {
  private readonly changes = new OneAtATime();

  constructor(
    @InjectRepository(Agency) private readonly agencies: Repository<Agency>,
    private readonly audit: AuditTrail,
    private readonly events: EventRecorder,
  ) {}

  /**
   * A page of the directory and its total in one statement (the total rides on every row); only a
   * page past the end, which has no row to carry it, asks for the count on its own.
   */
  async list(query: ListAgenciesRequest): Promise<Page<AgencyResponse>> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.kind) where.push(`kind = $${values.push(query.kind)}`);
    if (query.q) {
      const q = `$${values.push(`%${escapeLike(query.q)}%`)}`;
      where.push(`(code ILIKE ${q} OR name ILIKE ${q})`);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { skip, take } = pageOffset(query);
    const rows: Array<AgencyResponse & { total: string }> = await this.agencies.query(
      `SELECT id, code, name, kind, count(*) OVER () AS total FROM agencies ${filter} ORDER BY code LIMIT $${values.push(take)} OFFSET $${values.push(skip)}`,
      values,
    );
    const total = rows.length ? Number(rows[0].total) : skip ? Number((await this.agencies.query(`SELECT count(*) AS n FROM agencies ${filter}`, values.slice(0, -2)))[0].n) : 0;
    return pageOf(rows.map(toAgencyResponse), total, query);
  }

  /** The agency, its event and its audit row in one statement. */
  async create(request: CreateAgencyRequest): Promise<AgencyResponse> {
    const agency: AgencyResponse = { id: randomUUID(), code: request.code, name: request.name, kind: request.kind };
    const at = changeTime(null);
    const w = new WriteStatement().with(
      'a',
      `INSERT INTO agencies (id, code, name, kind, created_at, updated_at) VALUES (:id::uuid, :code, :name, :kind, :at::timestamptz, :at::timestamptz) RETURNING id`,
      { ...agency, at: at.toISOString() },
    );
    const audited = this.audit.pending({ action: 'agency.create', entityType: 'agency', entityId: agency.id, changes: auditChanges(null, agency, PUBLIC) });
    w.record(this.events, [{ type: 'identity.agency.changed.v1', data: changed(agency, at) }], audited);
    const { text, values } = w.select('a.id FROM a');
    try {
      await this.agencies.query(text, values);
      this.events.committed();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('IDENTITY.AGENCY_CODE_TAKEN', `agency code ${request.code} is taken`, [{ field: 'code', message: 'already taken', rule: 'unique' }]);
      throw error;
    }
    return agency;
  }

  /**
   * Reads the agency, then writes the change, its event and its audit row in one statement that
   * goes through only if the row is still as read (else read again): two admins' changes follow
   * each other, each event carries the row as committed, and the later commit has the later `at`.
   */
  async update({ id, ...changes }: UpdateAgencyCommand): Promise<AgencyResponse> {
    return this.changes.run(id, () => retried(async () => {
      const [read]: ReadAgency[] = await this.agencies.query(
        `SELECT id, code, name, kind, xmin::text AS version, extract(epoch FROM updated_at) * 1000 AS "changedMs" FROM agencies WHERE id = $1`,
        [id],
      );
      if (!read) throw new DomainError('IDENTITY.AGENCY_NOT_FOUND', 'agency not found');
      const before = toAgencyResponse(read);
      const after: AgencyResponse = { ...before, ...(changes.name !== undefined ? { name: changes.name } : {}), ...(changes.kind !== undefined ? { kind: changes.kind } : {}) };
      const at = changeTime(Number(read.changedMs));
      const w = new WriteStatement().with(
        'a',
        `UPDATE agencies SET name = :name, kind = :kind, updated_at = :at::timestamptz WHERE id = :id::uuid AND xmin = :version::xid RETURNING id`,
        { id, name: after.name, kind: after.kind, at: at.toISOString(), version: read.version },
      );
      const audited = this.audit.pending({ action: 'agency.update', entityType: 'agency', entityId: id, changes: auditChanges(before, after, PUBLIC) });
      w.record(this.events, [{ type: 'identity.agency.changed.v1', data: changed(after, at) }], audited);
      const { text, values } = w.select(unlessChanged('a'));
      await this.agencies.query(text, values);
      this.events.committed();
      return after;
    }, `agency ${id}`));
  }
}

/**
 * The directory entry as an event for the services that keep a copy (permits). `at` is when the
 * change was written, after the change before it (`changeTime`), so of two changes to one agency
 * the later commit always has the later `at`.
 */
function changed(agency: AgencyResponse, at: Date): EventData<'identity.agency.changed.v1'> {
  return { agencyId: agency.id, code: agency.code, name: agency.name, kind: agency.kind, at: at.toISOString() };
}

const isUniqueViolation = (error: unknown) => error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
