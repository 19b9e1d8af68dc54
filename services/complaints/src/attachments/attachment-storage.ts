import { Injectable } from '@nestjs/common';
import { BlobStorage, PostgresBlobStorage } from '@smart-regency/platform';

/** Where attachment bytes live (the DI token); PostgreSQL by default, as for permit documents. */
export abstract class AttachmentStorage extends BlobStorage {}

@Injectable()
export class PostgresAttachmentStorage extends PostgresBlobStorage implements AttachmentStorage {
  constructor() {
    super('complaint_blobs');
  }
}
