import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Actor,
  ComplaintCategoryResponse,
  CreateComplaintCategoryRequest,
  ListComplaintCategoriesRequest,
  Page,
  pageOf,
  pageOffset,
  UpdateComplaintCategoryCommand,
} from '@smart-regency/contracts';
import { auditChanges, AuditTrail, DomainError, requireRole } from '@smart-regency/platform';
import { QueryFailedError, Repository } from 'typeorm';
import { CategoryCatalogue } from './category-catalogue';
import { ComplaintCategory } from './complaint-category.entity';

// A category is public: its texts are recorded as they are.
const PUBLIC_TEXT = { notPersonal: ['name', 'description'] };

export function toCategoryResponse(c: ComplaintCategory): ComplaintCategoryResponse {
  return { code: c.code, name: c.name, description: c.description, agencyId: c.agencyId, active: c.active, forwardToLapor: c.forwardToLapor };
}

const requireAdmin = (actor: Actor) => requireRole(actor, ['admin'], 'complaint categories are kept by admins');

const notFound = (code: string) => new DomainError('COMPLAINTS.CATEGORY_NOT_FOUND', `no complaint category ${code}`);

@Injectable()
export class CategoriesService {
  constructor(
    @InjectRepository(ComplaintCategory) private readonly categories: Repository<ComplaintCategory>,
    private readonly catalogue: CategoryCatalogue,
    private readonly audit: AuditTrail,
  ) {}

  async list(query: ListComplaintCategoriesRequest): Promise<Page<ComplaintCategoryResponse>> {
    const { skip, take } = pageOffset(query);
    const [rows, total] = await this.categories.findAndCount({
      where: { ...(query.agencyId ? { agencyId: query.agencyId } : {}), ...(query.active !== undefined ? { active: query.active } : {}) },
      order: { name: 'ASC' },
      skip,
      take,
    });
    return pageOf(rows.map(toCategoryResponse), total, query);
  }

  /** The agency is checked for form only, as for permit types. */
  async create(actor: Actor, request: CreateComplaintCategoryRequest): Promise<ComplaintCategoryResponse> {
    requireAdmin(actor);
    try {
      return await this.categories.manager.transaction(async (m) => {
        const category = await m.save(this.categories.create({ ...request, active: request.active ?? true, forwardToLapor: request.forwardToLapor ?? false }));
        const created = toCategoryResponse(category);
        await this.audit.record(m, { action: 'complaint_category.create', entityType: 'complaint_category', entityId: category.code, changes: auditChanges(null, created, PUBLIC_TEXT) });
        return created;
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new DomainError('COMPLAINTS.CATEGORY_CODE_TAKEN', `${request.code} exists`, [{ field: 'code', message: 'already taken', rule: 'unique' }]);
      }
      throw error;
    }
  }

  /** Applies to new complaints; those filed already keep the agency they were routed to. */
  async update(actor: Actor, { code, ...changes }: UpdateComplaintCategoryCommand): Promise<ComplaintCategoryResponse> {
    requireAdmin(actor);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const updated = await this.categories.manager.transaction(async (m) => {
      // Locked, so the audit row's "before" is what this change replaced.
      const category = await m.getRepository(ComplaintCategory).findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!category) throw notFound(code);
      const before = toCategoryResponse(category);
      const after = toCategoryResponse(await m.save(m.getRepository(ComplaintCategory).merge(category, defined)));
      await this.audit.record(m, { action: 'complaint_category.update', entityType: 'complaint_category', entityId: code, changes: auditChanges(before, after, PUBLIC_TEXT) });
      return after;
    });
    this.catalogue.invalidate(code);
    return updated;
  }
}
