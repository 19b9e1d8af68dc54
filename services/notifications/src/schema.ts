import { AUDIT_MIGRATIONS, DatabaseSchema } from '@smart-regency/platform';
import { CreateWebhooks1767400000000 } from './migrations/1767400000000-CreateWebhooks';
import { CreateMessages1767500000000 } from './migrations/1767500000000-CreateMessages';
import { ListsAtVolume1767600000000 } from './migrations/1767600000000-ListsAtVolume';

/** Notifications' tables and the migrations that build them, in order (queried with SQL, no entities). */
export const notificationsSchema: DatabaseSchema = {
  entities: [],
  migrations: [...AUDIT_MIGRATIONS, CreateWebhooks1767400000000, CreateMessages1767500000000, ListsAtVolume1767600000000],
};
