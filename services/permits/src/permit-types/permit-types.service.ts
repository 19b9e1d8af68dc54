import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CreatePermitTypeRequest,
  FieldError,
  FormField,
  ListPermitTypesRequest,
  Page,
  pageOf,
  pageOffset,
  PermitTypeResponse,
  referenceAgencyId,
  UpdatePermitTypeCommand,
} from '@smart-regency/contracts';
import { auditChanges, AuditTrail, DomainError } from '@smart-regency/platform';
import { QueryFailedError, Repository } from 'typeorm';
import { PermitType } from './permit-type.entity';
import { PermitTypeCatalogue } from './permit-type-catalogue';

function catalogueProblems(fields: FormField[] | undefined, documents: Array<{ code: string }> | undefined): FieldError[] {
  const problems: FieldError[] = [];
  const dup = (codes: string[], where: string) =>
    codes.forEach((c, i) => codes.indexOf(c) < i && problems.push({ field: `${where}[${i}].code`, message: 'listed twice', rule: 'unique' }));
  if (fields) {
    dup(fields.map((f) => f.code), 'formFields');
    fields.forEach((f, i) => {
      if (f.type === 'select' && !f.options?.length) problems.push({ field: `formFields[${i}].options`, message: 'a select needs options', rule: 'arrayNotEmpty' });
    });
  }
  if (documents) dup(documents.map((d) => d.code), 'requiredDocuments');
  return problems;
}

// A catalogue entry is public: its texts are recorded as they are.
const PUBLIC_TEXT = { notPersonal: ['name', 'description', 'formFields'] };

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
  constructor(
    @InjectRepository(PermitType) private readonly types: Repository<PermitType>,
    private readonly catalogue: PermitTypeCatalogue,
    private readonly audit: AuditTrail,
  ) {}

  async list(query: ListPermitTypesRequest): Promise<Page<PermitTypeResponse>> {
    const qb = this.types.createQueryBuilder('t').orderBy('t.code', 'ASC');
    if (query.agencyId) qb.andWhere('t.agencyId = :agencyId', { agencyId: query.agencyId });
    if (query.active !== undefined) qb.andWhere('t.active = :active', { active: query.active });
    if (query.q) qb.andWhere('(t.code ILIKE :q OR t.name ILIKE :q)', { q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const { skip, take } = pageOffset(query);
    const [rows, total] = await qb.skip(skip).take(take).getManyAndCount();
    return pageOf(rows.map(toPermitTypeResponse), total, query);
  }

  async get(code: string): Promise<PermitTypeResponse> {
    const type = await this.types.findOne({ where: { code } });
    if (!type) throw new DomainError('PERMITS.PERMIT_TYPE_NOT_FOUND', `no permit type ${code}`);
    return toPermitTypeResponse(type);
  }

  async create(request: CreatePermitTypeRequest): Promise<PermitTypeResponse> {
    const problems = catalogueProblems(request.formFields, request.requiredDocuments);
    if (problems.length) throw new DomainError('COMMON.VALIDATION', 'invalid catalogue entry', problems);
    try {
      const saved = await this.types.manager.transaction(async (m) => {
        const type = await m.save(
          this.types.create({
            ...request,
            description: request.description ?? '',
            issuingAgencyId: request.issuingAgencyId ?? referenceAgencyId('DPMPTSP'),
            active: request.active ?? true,
          }),
        );
        await this.audit.record(m, { action: 'permit_type.create', entityType: 'permit_type', entityId: type.code, changes: auditChanges(null, toPermitTypeResponse(type), PUBLIC_TEXT) });
        return type;
      });
      return toPermitTypeResponse(saved);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new DomainError('PERMITS.PERMIT_TYPE_CODE_TAKEN', `${request.code} exists`, [{ field: 'code', message: 'already taken', rule: 'unique' }]);
      }
      throw error;
    }
  }

  /** Changes apply to new applications; open ones keep the SLA, fee and agencies they started with. */
  async update({ code, ...changes }: UpdatePermitTypeCommand): Promise<PermitTypeResponse> {
    const type = await this.types.findOne({ where: { code } });
    if (!type) throw new DomainError('PERMITS.PERMIT_TYPE_NOT_FOUND', `no permit type ${code}`);
    const problems = catalogueProblems(changes.formFields, changes.requiredDocuments);
    if (problems.length) throw new DomainError('COMMON.VALIDATION', 'invalid catalogue entry', problems);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const before = toPermitTypeResponse(type);
    const saved = await this.types.manager.transaction(async (m) => {
      const after = toPermitTypeResponse(await m.save(this.types.merge(type, defined)));
      await this.audit.record(m, { action: 'permit_type.update', entityType: 'permit_type', entityId: code, changes: auditChanges(before, after, PUBLIC_TEXT) });
      return after;
    });
    this.catalogue.invalidate(code);
    return saved;
  }
}
