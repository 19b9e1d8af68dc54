import { Injectable } from '@nestjs/common';
import { BlobStorage, PostgresBlobStorage } from '@smart-regency/platform';

/** Where document bytes live (the DI token); the implementation is the platform's. */
export abstract class DocumentStorage extends BlobStorage {}

@Injectable()
export class PostgresDocumentStorage extends PostgresBlobStorage implements DocumentStorage {
  constructor() {
    super('document_blobs');
  }
}
