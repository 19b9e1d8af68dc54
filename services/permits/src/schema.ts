import { DatabaseSchema } from '@smart-regency/platform';
import { CreatePermitTypes1764300000000 } from './migrations/1764300000000-CreatePermitTypes';
import { PermitType } from './permit-types/permit-type.entity';

/** Permits' tables and the migrations that build them, in order. */
export const permitsSchema: DatabaseSchema = {
  entities: [PermitType],
  migrations: [CreatePermitTypes1764300000000],
};
