import { Injectable } from '@nestjs/common';
import { DocumentResponse } from '@smart-regency/contracts';
import { groupBy } from '@smart-regency/platform';
import { EntityManager } from 'typeorm';

interface DocumentRow {
  code: string;
  content_type: DocumentResponse['contentType'];
  size: number;
  sha256: string;
  storage_key: string;
  uploaded_at: Date;
}

export const toDocumentResponse = (row: DocumentRow): DocumentResponse => ({
  code: row.code,
  contentType: row.content_type,
  size: Number(row.size),
  sha256: row.sha256,
  uploadedAt: row.uploaded_at.toISOString(),
});

/** Metadata of an application's documents (the bytes are in DocumentStorage). */
@Injectable()
export class DocumentsRepository {
  async codes(m: EntityManager, applicationId: string): Promise<string[]> {
    const rows = await m.query(`SELECT code FROM application_documents WHERE application_id = $1`, [applicationId]);
    return rows.map((r: { code: string }) => r.code);
  }

  async list(m: EntityManager, applicationId: string): Promise<DocumentResponse[]> {
    const rows: DocumentRow[] = await m.query(`SELECT * FROM application_documents WHERE application_id = $1 ORDER BY code`, [applicationId]);
    return rows.map(toDocumentResponse);
  }

  /** The documents of several applications, by application. */
  async listMany(m: EntityManager, applicationIds: string[]): Promise<Map<string, DocumentResponse[]>> {
    const rows: Array<DocumentRow & { application_id: string }> = await m.query(
      `SELECT * FROM application_documents WHERE application_id = ANY($1) ORDER BY application_id, code`,
      [applicationIds],
    );
    return new Map([...groupBy(rows, (r) => r.application_id)].map(([id, docs]) => [id, docs.map(toDocumentResponse)]));
  }

  async find(m: EntityManager, applicationId: string, code: string): Promise<DocumentRow | null> {
    const rows: DocumentRow[] = await m.query(`SELECT * FROM application_documents WHERE application_id = $1 AND code = $2`, [applicationId, code]);
    return rows[0] ?? null;
  }

  /** Whether a document of the application still refers to `storageKey` (keys are per application). */
  async references(m: EntityManager, applicationId: string, storageKey: string): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM application_documents WHERE application_id = $1 AND storage_key = $2 LIMIT 1`, [applicationId, storageKey]);
    return rows.length > 0;
  }

  async upsert(m: EntityManager, row: Omit<DocumentRow, 'uploaded_at'> & { application_id: string; uploaded_by: string }): Promise<DocumentResponse> {
    const [saved]: DocumentRow[] = await m.query(
      `INSERT INTO application_documents (application_id, code, content_type, size, sha256, storage_key, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (application_id, code) DO UPDATE
         SET content_type = EXCLUDED.content_type, size = EXCLUDED.size, sha256 = EXCLUDED.sha256,
             storage_key = EXCLUDED.storage_key, uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()
       RETURNING *`,
      [row.application_id, row.code, row.content_type, row.size, row.sha256, row.storage_key, row.uploaded_by],
    );
    return toDocumentResponse(saved);
  }
}
