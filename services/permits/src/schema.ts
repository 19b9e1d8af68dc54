import { AGENCY_MIGRATIONS, AUDIT_MIGRATIONS, CALENDAR_MIGRATIONS, DAILY_LIMIT_MIGRATIONS, DatabaseSchema } from '@smart-regency/platform';
import { CreatePermitTypes1764300000000 } from './migrations/1764300000000-CreatePermitTypes';
import { PermitType } from './permit-types/permit-type.entity';
import { Application, ApplicationHistory } from './applications/application.entity';
import { CreateApplications1764500000000 } from './migrations/1764500000000-CreateApplications';
import { CreateDocuments1764600000000 } from './migrations/1764600000000-CreateDocuments';
import { AddHolderName1764700000000 } from './migrations/1764700000000-AddHolderName';
import { ListIndexes1764800000000 } from './migrations/1764800000000-ListIndexes';
import { ApplicationNumberBlocks1766400000000 } from './migrations/1766400000000-ApplicationNumberBlocks';
import { DocumentBlobVersions1766610000000 } from './migrations/1766610000000-DocumentBlobVersions';
import { ApplicantErasure1767300000000 } from './migrations/1767300000000-ApplicantErasure';
import { StoredCertificates1767400000000 } from './migrations/1767400000000-StoredCertificates';

/** Permits' tables and the migrations that build them, in order. */
export const permitsSchema: DatabaseSchema = {
  entities: [PermitType, Application, ApplicationHistory],
  migrations: [CreatePermitTypes1764300000000, CreateApplications1764500000000, CreateDocuments1764600000000, AddHolderName1764700000000, ListIndexes1764800000000, ...AUDIT_MIGRATIONS, ApplicationNumberBlocks1766400000000, ...DAILY_LIMIT_MIGRATIONS, DocumentBlobVersions1766610000000, ApplicantErasure1767300000000, StoredCertificates1767400000000, ...CALENDAR_MIGRATIONS, ...AGENCY_MIGRATIONS],
};
