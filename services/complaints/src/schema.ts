import { DatabaseSchema } from '@smart-regency/platform';
import { ComplaintCategory } from './categories/complaint-category.entity';
import { CreateComplaintCategories1764300000000 } from './migrations/1764300000000-CreateComplaintCategories';

/** Complaints' tables and the migrations that build them, in order. */
export const complaintsSchema: DatabaseSchema = {
  entities: [ComplaintCategory],
  migrations: [CreateComplaintCategories1764300000000],
};
