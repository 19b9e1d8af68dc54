import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { TtlCache } from '@smart-regency/platform';
import { EntityManager, Repository } from 'typeorm';
import { ComplaintCategory } from './complaint-category.entity';

/** How long another replica may keep a category after an admin changed it. */
export const CATEGORY_CATALOGUE_TTL_MS = 5_000;

/**
 * The complaint categories as filing reads them: every complaint needs one, and admins change them
 * a few times a year. Kept in memory for CATEGORY_CATALOGUE_TTL_MS; a change made through this
 * replica drops its entry at once. Unknown codes are not remembered. Callers must not modify what
 * they get.
 *
 * Inside a transaction, pass its manager: a lookup on another pool connection while holding one
 * deadlocks the pool once every connection is held by a transaction waiting for a second one.
 */
@Injectable()
export class CategoryCatalogue {
  private readonly cache = new TtlCache<string, ComplaintCategory>(CATEGORY_CATALOGUE_TTL_MS);

  constructor(@InjectRepository(ComplaintCategory) private readonly categories: Repository<ComplaintCategory>) {}

  find(code: string, manager: EntityManager = this.categories.manager): Promise<ComplaintCategory | null> {
    return this.cache.get(code, async () => {
      const category = await manager.getRepository(ComplaintCategory).findOne({ where: { code } });
      return category && Object.freeze(category);
    });
  }

  /** The category when it takes new complaints; null when unknown or deactivated. */
  async open(code: string, manager?: EntityManager): Promise<ComplaintCategory | null> {
    const category = await this.find(code, manager);
    return category?.active ? category : null;
  }

  invalidate(code: string): void {
    this.cache.invalidate(code);
  }
}
