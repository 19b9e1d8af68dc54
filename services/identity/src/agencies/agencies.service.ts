import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgencyResponse, CreateAgencyRequest, EventData, ListAgenciesRequest, Page, pageOf, pageOffset, UpdateAgencyCommand } from '@smart-regency/contracts';
import { auditChanges, AuditTrail, DomainError, EventRecorder } from '@smart-regency/platform';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { Agency } from './agency.entity';

// An agency's name is public: recorded as it is.
const PUBLIC = { notPersonal: ['name'] };

export function toAgencyResponse(agency: Agency): AgencyResponse {
  return { id: agency.id, code: agency.code, name: agency.name, kind: agency.kind };
}

@Injectable()
export class AgenciesService {
  constructor(
    @InjectRepository(Agency) private readonly agencies: Repository<Agency>,
    private readonly audit: AuditTrail,
    private readonly events: EventRecorder,
  ) {}

  async list(query: ListAgenciesRequest): Promise<Page<AgencyResponse>> {
    // Only the columns the answer shows: parsing timestamps nobody reads costs CPU on a hot list.
    const qb = this.agencies.createQueryBuilder('a').select(['a.id', 'a.code', 'a.name', 'a.kind']).orderBy('a.code', 'ASC');
    if (query.kind) qb.andWhere('a.kind = :kind', { kind: query.kind });
    if (query.q) qb.andWhere('(a.code ILIKE :q OR a.name ILIKE :q)', { q: `%${escapeLike(query.q)}%` });
    const { skip, take } = pageOffset(query);
    const [rows, total] = await qb.skip(skip).take(take).getManyAndCount();
    return pageOf(rows.map(toAgencyResponse), total, query);
  }

  async create(request: CreateAgencyRequest): Promise<AgencyResponse> {
    try {
      return await this.agencies.manager.transaction(async (m) => {
        const agency = toAgencyResponse(await m.save(this.agencies.create(request)));
        const audited = this.audit.pending({ action: 'agency.create', entityType: 'agency', entityId: agency.id, changes: auditChanges(null, agency, PUBLIC) });
        await this.events.record(m, 'identity.agency.changed.v1', await changed(m, agency), audited);
        return agency;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('IDENTITY.AGENCY_CODE_TAKEN', `agency code ${request.code} is taken`, [{ field: 'code', message: 'already taken', rule: 'unique' }]);
      throw error;
    }
  }

  async update({ id, ...changes }: UpdateAgencyCommand): Promise<AgencyResponse> {
    return this.agencies.manager.transaction(async (m) => {
      // Locked, so two admins' changes follow each other and each event carries the row as committed.
      const agency = await m.getRepository(Agency).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!agency) throw new DomainError('IDENTITY.AGENCY_NOT_FOUND', 'agency not found');
      const before = toAgencyResponse(agency);
      const after = toAgencyResponse(await m.save(m.getRepository(Agency).merge(agency, changes)));
      const audited = this.audit.pending({ action: 'agency.update', entityType: 'agency', entityId: id, changes: auditChanges(before, after, PUBLIC) });
      await this.events.record(m, 'identity.agency.changed.v1', await changed(m, after), audited);
      return after;
    });
  }
}

/**
 * The directory entry as an event for the services that keep a copy (permits). `at` is the
 * database's clock read after the row was written (and, for an update, locked), so of two changes to
 * one agency the later commit always has the later `at`; the transaction's start time would not.
 */
async function changed(m: EntityManager, agency: AgencyResponse): Promise<EventData<'identity.agency.changed.v1'>> {
  const [{ at }]: Array<{ at: Date }> = await m.query('SELECT clock_timestamp() AS at');
  return { agencyId: agency.id, code: agency.code, name: agency.name, kind: agency.kind, at: at.toISOString() };
}

const isUniqueViolation = (error: unknown) => error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
