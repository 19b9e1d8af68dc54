import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, CertificateDownload, RegencyCloudEvent } from '@smart-regency/contracts';
import { AgencyReadModel, DomainError, EventsRuntime, FileTransfer, toFilePayload } from '@smart-regency/platform';
import { isUUID } from 'class-validator';
import { createHash } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Application } from '../applications/application.entity';
import { canSeeApplication } from '../applications/applications.service';
import { PermitsConfig } from '../config';
import { PermitType } from '../permit-types/permit-type.entity';
import { CertificateData, renderCertificate } from './certificate-pdf';
import { CertificateSigner } from './certificate-signer';
import { CertificatesRepository, StoredCertificate } from './certificates.repository';

const CERTIFIED = ['issued', 'expired', 'revoked'];
/** Durable consumer of permits' own issued events; also its inbox key, so it stays stable. */
export const CERTIFICATES_CONSUMER = 'permits-certificates';
/** First key of the per-application advisory lock under which a certificate is made ('cert'). */
const CERTIFICATE_LOCK = 0x63657274;

/** Where anyone checks a certificate: the address in its QR code (GET /permits/verify/:code). */
export function verificationUrl(publicBaseUrl: string, verificationCode: string): string {
  return `${publicBaseUrl}/api/v1/permits/verify/${verificationCode}`;
}

const certified = (app: Application) => CERTIFIED.includes(app.status) && !!app.certificateNumber && !!app.issuedAt;

/**
 * Certificates are rendered and signed once and then served as stored. They are made when permits
 * consumes its own `permits.application.issued.v1` (after the issue has committed, in the
 * consumer's transaction: a failure is retried with the consumer's delays, then dead-lettered),
 * or at the first download if that comes first. Either way under a per-application advisory lock
 * and into a table keyed by the application, so a second attempt finds the first one's row.
 */
@Injectable()
export class CertificatesService implements OnModuleInit {
  private readonly logger = new Logger('Certificates');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly agencies: AgencyReadModel,
    private readonly transfer: FileTransfer,
    private readonly config: PermitsConfig,
    private readonly signer: CertificateSigner,
    private readonly stored: CertificatesRepository,
    private readonly events: EventsRuntime,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.events.consume({
      name: CERTIFICATES_CONSUMER,
      filterSubject: 'permits.application.issued.v1',
      handler: (event, m) => this.onIssued(event, m),
      // Each holds a connection while the signer works (BSrE: a network call); the pool serves requests too.
      concurrency: 2,
    });
  }

  /** The signed PDF certificate of an issued permit, for its owner and the handling staff. */
  async download(actor: Actor, id: string): Promise<CertificateDownload> {
    const app = await this.db.getRepository(Application).findOne({ where: { id } });
    if (!app || !canSeeApplication(actor, app)) throw new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');
    if (!certified(app)) throw new DomainError('PERMITS.NOT_ISSUED', `the application is ${app.status}`);
    const certificate = (await this.stored.find(this.db.manager, app.id)) ?? (await this.db.transaction((m) => this.ensure(m, app.id)));
    if (!certificate) throw new DomainError('PERMITS.NOT_ISSUED', `the application is ${app.status}`);
    return { certificateNumber: certificate.certificateNumber, ...(await toFilePayload(this.transfer, certificate.content)) };
  }

  private async onIssued(event: RegencyCloudEvent, m: EntityManager): Promise<void> {
    const id = (event.data as { applicationId?: unknown } | undefined)?.applicationId;
    if (typeof id !== 'string' || !isUUID(id)) {
      this.logger.warn(`${event.type} ${event.id} names no application; nothing to sign`);
      return;
    }
    if (!(await this.ensure(m, id))) this.logger.warn(`${event.type} ${event.id}: application ${id} has no issued permit; nothing to sign`);
  }

  /**
   * The application's stored certificate, rendered, signed and stored first when there is none;
   * null when it has no issued permit. Waits for anyone making the same one (the lock ends with
   * the transaction), then finds their row.
   */
  private async ensure(m: EntityManager, id: string): Promise<StoredCertificate | null> {
    await m.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CERTIFICATE_LOCK, id]);
    const existing = await this.stored.find(m, id);
    if (existing) return existing;
    // Shared lock: an erasure (FOR UPDATE) waits for this certificate and then deletes it, or goes first.
    const app = await m.getRepository(Application).findOne({ where: { id }, lock: { mode: 'pessimistic_read' } });
    if (!app || !certified(app)) return null;
    const pdf = await this.signer.sign(await renderCertificate(await this.certificateData(m, app)));
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const stored = await this.stored.insertOnce(m, { applicationId: app.id, certificateNumber: app.certificateNumber!, content: pdf, sha256, signer: this.signer.name });
    this.logger.log(`certificate ${app.certificateNumber} signed (${this.signer.name}) and stored, sha256 ${sha256}`);
    return stored;
  }

  private async certificateData(m: EntityManager, app: Application): Promise<CertificateData> {
    const type = await m.getRepository(PermitType).findOne({ where: { code: app.permitTypeCode } });
    const fields = new Map((type?.formFields ?? []).map((f) => [f.code, f.label]));
    return {
      regencyName: this.config.REGENCY_NAME,
      issuingAgencyName: await this.agencyName(app.issuingAgencyId),
      permitTypeName: type?.name ?? app.permitTypeCode,
      permitTypeCode: app.permitTypeCode,
      certificateNumber: app.certificateNumber!,
      applicationNumber: app.number,
      holderName: app.holderName ?? '',
      details: Object.entries(app.formData)
        .filter(([code, value]) => fields.has(code) && value !== null && value !== '')
        .map(([code, value]) => ({ label: fields.get(code)!, value: String(value) })),
      issuedAt: app.issuedAt!,
      expiresAt: app.expiresAt,
      verificationUrl: verificationUrl(this.config.PUBLIC_BASE_URL, app.verificationCode!),
    };
  }

  /**
   * The issuing agency's name from permits' copy of identity's public directory (AgencyReadModel).
   * A signed certificate is kept for good, so a name that cannot be found is a failure to retry, not
   * a placeholder to print.
   */
  private async agencyName(agencyId: string): Promise<string> {
    const name = (await this.agencies.name(agencyId))?.trim();
    if (name) return name.slice(0, 200);
    throw new DomainError('PERMITS.CERTIFICATE_UNAVAILABLE', `the issuing agency ${agencyId} is not in identity's directory`, undefined, 60);
  }
}
