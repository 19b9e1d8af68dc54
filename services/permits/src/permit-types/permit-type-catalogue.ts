import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
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
  private readonly entries = new Map<string, { type: PermitType; until: number }>();

  constructor(@InjectRepository(PermitType) private readonly types: Repository<PermitType>) {}

  async find(code: string, manager: EntityManager = this.types.manager): Promise<PermitType | null> {
    const entry = this.entries.get(code);
    if (entry && entry.until > Date.now()) return entry.type;
    const type = await manager.getRepository(PermitType).findOne({ where: { code } });
    if (type) this.entries.set(code, { type: Object.freeze(type), until: Date.now() + CATALOGUE_TTL_MS });
    else this.entries.delete(code);
    return type;
  }

  invalidate(code: string): void {
    this.entries.delete(code);
  }
}
