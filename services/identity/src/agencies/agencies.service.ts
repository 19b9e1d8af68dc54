import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgencyResponse, CreateAgencyRequest, ListAgenciesRequest, Page, pageOf, pageOffset, UpdateAgencyCommand } from '@smart-regency/contracts';
import { auditChanges, AuditTrail, DomainError } from '@smart-regency/platform';
import { QueryFailedError, Repository } from 'typeorm';
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
        await this.audit.record(m, { action: 'agency.create', entityType: 'agency', entityId: agency.id, changes: auditChanges(null, agency, PUBLIC) });
        return agency;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('IDENTITY.AGENCY_CODE_TAKEN', `agency code ${request.code} is taken`, [{ field: 'code', message: 'already taken', rule: 'unique' }]);
      throw error;
    }
  }

  async update({ id, ...changes }: UpdateAgencyCommand): Promise<AgencyResponse> {
    const agency = await this.agencies.findOne({ where: { id } });
    if (!agency) throw new DomainError('IDENTITY.AGENCY_NOT_FOUND', 'agency not found');
    const before = toAgencyResponse(agency);
    return this.agencies.manager.transaction(async (m) => {
      const after = toAgencyResponse(await m.save(this.agencies.merge(agency, changes)));
      await this.audit.record(m, { action: 'agency.update', entityType: 'agency', entityId: id, changes: auditChanges(before, after, PUBLIC) });
      return after;
    });
  }
}

const isUniqueViolation = (error: unknown) => error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
