import { DatabaseSchema } from '@smart-regency/platform';
import { Agency } from './agencies/agency.entity';
import { CreateAgencies1764300000000 } from './migrations/1764300000000-CreateAgencies';

/** Identity's tables and the migrations that build them, in order. */
export const identitySchema: DatabaseSchema = {
  entities: [Agency],
  migrations: [CreateAgencies1764300000000],
};
