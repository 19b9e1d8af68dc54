import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ComplaintCategoryResponse, ListComplaintCategoriesRequest, Page, pageOf, pageOffset } from '@smart-regency/contracts';
import { Repository } from 'typeorm';
import { ComplaintCategory } from './complaint-category.entity';

export function toCategoryResponse(c: ComplaintCategory): ComplaintCategoryResponse {
  return { code: c.code, name: c.name, description: c.description, agencyId: c.agencyId, active: c.active };
}

@Injectable()
export class CategoriesService {
  constructor(@InjectRepository(ComplaintCategory) private readonly categories: Repository<ComplaintCategory>) {}

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
}
