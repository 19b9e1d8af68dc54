import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** An application's signed certificate as stored: the bytes and what they are. */
export interface StoredCertificate {
  applicationId: string;
  certificateNumber: string;
  content: Buffer;
  size: number;
  sha256: string;
  /** Who signed (CertificateSigner.name). */
  signer: string;
  signedAt: Date;
}

const COLUMNS = `application_id AS "applicationId", certificate_number AS "certificateNumber", content, size, sha256, signer, signed_at AS "signedAt"`;

/** The `application_certificates` table: one signed certificate per application, never replaced. */
@Injectable()
export class CertificatesRepository {
  async find(m: EntityManager, applicationId: string): Promise<StoredCertificate | null> {
    const [row] = await m.query(`SELECT ${COLUMNS} FROM application_certificates WHERE application_id = $1`, [applicationId]);
    return row ?? null;
  }

  /** Stores it unless the application has one already, which then stays; returns the stored one either way. */
  async insertOnce(m: EntityManager, certificate: Omit<StoredCertificate, 'size' | 'signedAt'>): Promise<StoredCertificate> {
    const [row] = await m.query(
      `WITH added AS (
         INSERT INTO application_certificates (application_id, certificate_number, content, size, sha256, signer)
         VALUES ($1, $2, $3::bytea, octet_length($3::bytea), $4, $5)
         ON CONFLICT (application_id) DO NOTHING
         RETURNING ${COLUMNS}
       )
       SELECT * FROM added
       UNION ALL
       SELECT ${COLUMNS} FROM application_certificates WHERE application_id = $1 AND NOT EXISTS (SELECT 1 FROM added)`,
      [certificate.applicationId, certificate.certificateNumber, certificate.content, certificate.sha256, certificate.signer],
    );
    return row;
  }
}
