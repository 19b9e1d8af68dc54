import { extractSignature } from '@signpdf/utils';
import { pdfsig } from '@smart-regency/testing';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { readPkcs12 } from './cades';
import { renderCertificate } from './certificate-pdf';
import { LocalCertificateSigner } from './local-signer';
import { selfSignedPkcs12 } from './signing-key';

const PASSPHRASE = 'kata-sandi-uji';
const DETAILS = { reason: 'Surat izin diterbitkan secara elektronik', location: 'Aek Kanopan', contactInfo: 'https://izin.labura.example.go.id' };

const sample = {
  regencyName: 'Pemerintah Kabupaten Labuhanbatu Utara',
  issuingAgencyName: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu',
  permitTypeName: 'Izin Reklame',
  permitTypeCode: 'REKLAME',
  certificateNumber: 'REKLAME/2026/000042',
  applicationNumber: 'PRM-2026-000042',
  holderName: 'Siti Rahmawati Harahap',
  details: [{ label: 'Lokasi', value: 'Jl. Sudirman No. 12' }],
  issuedAt: new Date('2026-08-17T02:00:00Z'),
  expiresAt: new Date('2027-08-17T02:00:00Z'),
  verificationUrl: 'https://izin.labura.example.go.id/api/v1/permits/verify/AbC123dEf456GhI789jKl012MnO3',
};

/** One byte of the signed range changed: in the page's compressed content, far from the signature. */
function tampered(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf);
  const at = copy.indexOf('stream\n') + 'stream\n'.length + 10;
  copy[at] ^= 0x01;
  return copy;
}

describe('LocalCertificateSigner (PAdES with a PKCS#12 key)', () => {
  const key = readPkcs12(selfSignedPkcs12({ commonName: 'Dinas Uji Tanda Tangan', passphrase: PASSPHRASE }), PASSPHRASE);
  const signer = new LocalCertificateSigner(key, DETAILS);
  let pdf: Buffer;
  let signed: Buffer;

  beforeAll(async () => {
    pdf = await renderCertificate(sample);
    signed = await signer.sign(pdf);
  });

  it('appends the signature as a new revision: the rendered bytes stay as they were', () => {
    const rendered = pdf.subarray(0, pdf.toString('latin1').trimEnd().length);
    expect(signed.subarray(0, rendered.length).equals(rendered)).toBe(true);
    const revision = signed.subarray(rendered.length).toString('latin1');
    expect(revision).toContain('/Type /Sig');
    expect(revision).toContain('/SubFilter /ETSI.CAdES.detached');
    expect(revision).toContain('/Filter /Adobe.PPKLite');
    expect(revision).toContain('(Dinas Uji Tanda Tangan)');
    expect(signer.name).toBe('p12 Dinas Uji Tanda Tangan');
  });

  it('is reported valid by pdfsig, as a whole-document ETSI.CAdES.detached signature', async () => {
    const { output } = await pdfsig(signed);
    expect(output).toContain('Signature Validation: Signature is Valid.');
    expect(output).toContain('Signature Type: ETSI.CAdES.detached');
    expect(output).toContain('Signer Certificate Common Name: Dinas Uji Tanda Tangan');
    expect(output).toContain('Total document signed');
    // Self-signed: the signature holds, trusting the signer is the deployment's business.
    expect(output).not.toContain('Certificate Validation: Certificate is Trusted.');
  });

  it('is reported invalid by pdfsig once a signed byte changes', async () => {
    const { output } = await pdfsig(tampered(signed));
    expect(output).not.toContain('Signature Validation: Signature is Valid.');
    expect(output).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/);
  });

  it('carries the CAdES attributes PAdES asks for, and openssl verifies the CMS over the signed ranges', () => {
    const { signature, signedData } = extractSignature(signed);
    const dir = mkdtempSync(join(tmpdir(), 'cades-'));
    try {
      const cms = join(dir, 'signature.der');
      const content = join(dir, 'signed-ranges.bin');
      writeFileSync(cms, Buffer.from(signature, 'binary'));
      writeFileSync(content, signedData);
      const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cms], { encoding: 'utf8' });
      expect(printed).toMatch(/object: (id-smime-aa-signingCertificateV2|signingCertificateV2)/);
      expect(printed).toMatch(/object: (contentType|pkcs9_contentType)/);
      expect(printed).toMatch(/object: (messageDigest|pkcs9_messageDigest)/);
      expect(printed).not.toMatch(/signingTime/);
      // The certificate hash in signing-certificate-v2 is the signer's certificate's.
      expect(printed).toContain(createHash('sha256').update(key.chain[0]).digest('hex').toUpperCase());
      execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-noverify', '-out', join(dir, 'out')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
