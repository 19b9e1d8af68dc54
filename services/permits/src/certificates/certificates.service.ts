import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, FileTransfer, RpcClient } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { Application } from '../applications/application.entity';
import { canSeeApplication } from '../applications/applications.service';
import { PermitsConfig } from '../config';
import { PermitType } from '../permit-types/permit-type.entity';
import { renderCertificate } from './certificate-pdf';

const CERTIFIED = ['issued', 'expired', 'revoked'];

/** Where anyone checks a certificate: the address in its QR code (GET /permits/verify/:code). */
export function verificationUrl(publicBaseUrl: string, verificationCode: string): string {
  return `${publicBaseUrl}/api/v1/permits/verify/${verificationCode}`;
}

@Injectable()
export class CertificatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly transfer: FileTransfer,
    private readonly config: PermitsConfig,
  ) {}

  /** The PDF certificate of an issued permit, for its owner and the handling staff. */
  async render(actor: Actor, id: string): Promise<{ objectName: string; certificateNumber: string }> {
    const app = await this.db.getRepository(Application).findOne({ where: { id } });
    if (!app || !canSeeApplication(actor, app)) throw new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');
    if (!CERTIFIED.includes(app.status) || !app.certificateNumber || !app.issuedAt) throw new DomainError('PERMITS.NOT_ISSUED', `the application is ${app.status}`);
    const type = await this.db.getRepository(PermitType).findOne({ where: { code: app.permitTypeCode } });
    // The agency directory is public: asked without a caller (services never speak for one).
    const agencies = await this.rpc.send(SUBJECTS.identity.listAgencies, { pageSize: 100 });
    const issuing = agencies.items.find((a) => a.id === app.issuingAgencyId);
    const fields = new Map((type?.formFields ?? []).map((f) => [f.code, f.label]));
    const pdf = await renderCertificate({
      regencyName: this.config.REGENCY_NAME,
      issuingAgencyName: issuing?.name ?? 'DPMPTSP',
      permitTypeName: type?.name ?? app.permitTypeCode,
      permitTypeCode: app.permitTypeCode,
      certificateNumber: app.certificateNumber,
      applicationNumber: app.number,
      holderName: app.holderName ?? '',
      details: Object.entries(app.formData)
        .filter(([code, value]) => fields.has(code) && value !== null && value !== '')
        .map(([code, value]) => ({ label: fields.get(code)!, value: String(value) })),
      issuedAt: app.issuedAt,
      expiresAt: app.expiresAt,
      verificationUrl: verificationUrl(this.config.PUBLIC_BASE_URL, app.verificationCode!),
    });
    return { objectName: await this.transfer.put(pdf), certificateNumber: app.certificateNumber };
  }
}
