import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ListPermitTypesRequest, Page, pageOf, pageOffset, PermitTypeResponse } from '@smart-regency/contracts';
import { Repository } from 'typeorm';
import { PermitType } from './permit-type.entity';

export function toPermitTypeResponse(t: PermitType): PermitTypeResponse {
  return {
    code: t.code,
    name: t.name,
    description: t.description,
    agencyId: t.agencyId,
    issuingAgencyId: t.issuingAgencyId,
    requiredDocuments: t.requiredDocuments,
    formFields: t.formFields,
    slaWorkingDays: t.slaWorkingDays,
    fee: t.fee,
    validityMonths: t.validityMonths,
    active: t.active,
  };
}

@Injectable()
export class PermitTypesService {
  constructor(@InjectRepository(PermitType) private readonly types: Repository<PermitType>) {}

  async list(query: ListPermitTypesRequest): Promise<Page<PermitTypeResponse>> {
    const qb = this.types.createQueryBuilder('t').orderBy('t.code', 'ASC');
    if (query.agencyId) qb.andWhere('t.agencyId = :agencyId', { agencyId: query.agencyId });
    if (query.active !== undefined) qb.andWhere('t.active = :active', { active: query.active });
    if (query.q) qb.andWhere('(t.code ILIKE :q OR t.name ILIKE :q)', { q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const { skip, take } = pageOffset(query);
    const [rows, total] = await qb.skip(skip).take(take).getManyAndCount();
    return pageOf(rows.map(toPermitTypeResponse), total, query);
  }
}
