import { Injectable } from '@nestjs/common';
import { BlobStorage, PostgresBlobStorage } from '@smart-regency/platform';

/** A document version's key: every version of an application's files is under `applications/<id>/`. */
export const documentKey = (applicationId: string, code: string, sha256: string) => `applications/${applicationId}/${code}/${sha256}`;
/** The key prefix of every version of every document of an application (erasure deletes by it). */
export const applicationBlobPrefix = (applicationId: string) => `applications/${applicationId}/`;

/** Where document bytes live (the DI token); the implementation is the platform's. */
export abstract class DocumentStorage extends BlobStorage {}

@Injectable()
export class PostgresDocumentStorage extends PostgresBlobStorage implements DocumentStorage {
  constructor() {
    super('document_blobs');
  }
}
