import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { TtlCache } from '@smart-regency/platform';
import { EntityManager, Repository } from 'typeorm';
import { PermitType } from './permit-type.entity';

/** How long another replica may keep a permit type after an admin changed it. */
export const CATALOGUE_TTL_MS = 5_000;

/**
 * The permit types as the write path reads them: every create and submit needs one, and the
 * catalogue changes a few times a year. Kept in memory for CATALOGUE_TTL_MS; a change made through
 * this replica drops its entry at once. Unknown codes are not remembered, so the map only ever
 * holds real types. Callers must not modify what they get.
 *
 * Inside a transaction, pass its manager: a lookup on another pool connection while holding one
 * deadlocks the pool once every connection is held by a transaction waiting for a second one.
 */
@Injectable()
export class PermitTypeCatalogue {
  private readonly cache = new TtlCache<string, PermitType>(CATALOGUE_TTL_MS);

  constructor(@InjectRepository(PermitType) private readonly types: Repository<PermitType>) {}

  find(code: string, manager: EntityManager = this.types.manager): Promise<PermitType | null> {
    return this.cache.get(code, async () => {
      const type = await manager.getRepository(PermitType).findOne({ where: { code } });
      return type && Object.freeze(type);
    });
  }

  invalidate(code: string): void {
    this.cache.invalidate(code);
  }
}
