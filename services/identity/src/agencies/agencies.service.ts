import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgencyResponse, CreateAgencyRequest, ListAgenciesRequest, Page, pageOf, pageOffset, UpdateAgencyCommand } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { QueryFailedError, Repository } from 'typeorm';
import { Agency } from './agency.entity';

export function toAgencyResponse(agency: Agency): AgencyResponse {
  return { id: agency.id, code: agency.code, name: agency.name, kind: agency.kind };
}

@Injectable()
export class AgenciesService {
  constructor(@InjectRepository(Agency) private readonly agencies: Repository<Agency>) {}

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
      return toAgencyResponse(await this.agencies.save(this.agencies.create(request)));
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('IDENTITY.AGENCY_CODE_TAKEN', `agency code ${request.code} is taken`, [{ field: 'code', message: 'already taken', rule: 'unique' }]);
      throw error;
    }
  }

  async update({ id, ...changes }: UpdateAgencyCommand): Promise<AgencyResponse> {
    const agency = await this.agencies.findOne({ where: { id } });
    if (!agency) throw new DomainError('IDENTITY.AGENCY_NOT_FOUND', 'agency not found');
    return toAgencyResponse(await this.agencies.save(this.agencies.merge(agency, changes)));
  }
}

const isUniqueViolation = (error: unknown) => error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
