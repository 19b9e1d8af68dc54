import { DatabaseSchema } from '@smart-regency/platform';
import { CreateReadModels1764300000000 } from './migrations/1764300000000-CreateReadModels';
import { ComplaintFact, PermitFact, ProjectionState } from './summary/facts.entity';

/** Reporting's read models and the migrations that build them, in order. */
export const reportingSchema: DatabaseSchema = {
  entities: [ComplaintFact, PermitFact, ProjectionState],
  migrations: [CreateReadModels1764300000000],
};
