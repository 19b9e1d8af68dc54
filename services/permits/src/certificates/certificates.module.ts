import { Logger, Module } from '@nestjs/common';
import { AgencyReadModel } from '@smart-regency/platform';
import { PermitsConfig } from '../config';
import { CertificateSigner } from './certificate-signer';
import { CertificatesRepository } from './certificates.repository';
import { CertificatesService } from './certificates.service';
import { certificateSignerFor } from './signer-factory';

@Module({
  providers: [
    AgencyReadModel.for('permits'),
    CertificatesService,
    CertificatesRepository,
    // Built (and checked: key, passphrase, validity) while the module starts: a bad one stops the start.
    { provide: CertificateSigner, useFactory: (config: PermitsConfig) => certificateSignerFor(config, new Logger('Certificates')), inject: [PermitsConfig] },
  ],
  exports: [CertificatesService],
})
export class CertificatesModule {}
