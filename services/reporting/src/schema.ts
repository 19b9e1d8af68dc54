import { DatabaseSchema } from '@smart-regency/platform';
import { CreateReadModels1764300000000 } from './migrations/1764300000000-CreateReadModels';
import { ProjectFromEvents1764800000000 } from './migrations/1764800000000-ProjectFromEvents';
import { MonthlyRollups1767400000000 } from './migrations/1767400000000-MonthlyRollups';

/** Reporting's read models and the migrations that build them, in order (queried with SQL, no entities). */
export const reportingSchema: DatabaseSchema = {
  entities: [],
  migrations: [CreateReadModels1764300000000, ProjectFromEvents1764800000000, MonthlyRollups1767400000000],
};
