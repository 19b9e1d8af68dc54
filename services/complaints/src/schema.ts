import { AUDIT_MIGRATIONS, CALENDAR_MIGRATIONS, DAILY_LIMIT_MIGRATIONS, DatabaseSchema } from '@smart-regency/platform';
import { ComplaintAttachment } from './attachments/attachment.entity';
import { ComplaintCategory } from './categories/complaint-category.entity';
import { CreateComplaintCategories1764300000000 } from './migrations/1764300000000-CreateComplaintCategories';
import { CreateComplaints1764500000000 } from './migrations/1764500000000-CreateComplaints';
import { CreateComplaintAttachments1764700000000 } from './migrations/1764700000000-CreateComplaintAttachments';
import { ComplaintListIndexes1764800000000 } from './migrations/1764800000000-ComplaintListIndexes';
import { ComplaintListCovering1766200000000 } from './migrations/1766200000000-ComplaintListCovering';
import { TrackingNumberBlocks1766400000000 } from './migrations/1766400000000-TrackingNumberBlocks';
import { Complaint, ComplaintComment, ComplaintHistory, ComplaintLaporUpdate } from './complaints/complaint.entity';
import { LaporForwarding1767500000000 } from './migrations/1767500000000-LaporForwarding';

/** Complaints' tables and the migrations that build them, in order. */
export const complaintsSchema: DatabaseSchema = {
  entities: [ComplaintCategory, Complaint, ComplaintHistory, ComplaintComment, ComplaintAttachment, ComplaintLaporUpdate],
  migrations: [CreateComplaintCategories1764300000000, CreateComplaints1764500000000, CreateComplaintAttachments1764700000000, ComplaintListIndexes1764800000000, ...AUDIT_MIGRATIONS, ComplaintListCovering1766200000000, TrackingNumberBlocks1766400000000, ...DAILY_LIMIT_MIGRATIONS, LaporForwarding1767500000000, ...CALENDAR_MIGRATIONS],
};
