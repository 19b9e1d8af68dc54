import { ConfigError, FatalStartupError } from '@smart-regency/platform';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadPermitsConfig } from '../config';
import { BsreSigner } from './bsre-signer';
import { LocalCertificateSigner } from './local-signer';
import { certificateSignerFor } from './signer-factory';
import { selfSignedPkcs12 } from './signing-key';

const PRODUCTION = { NODE_ENV: 'production', ACTOR_SIGNING_KEY: 'k'.repeat(40), NATS_USER: 'permits', NATS_PASSWORD: 'n'.repeat(20) };
const PASSPHRASE = 'sandi-kunci-tanda-tangan';

/** The messages a start logs, by level. */
function recorder() {
  const logged = { log: [] as string[], warn: [] as string[] };
  return { logged, logger: { log: (m: string) => logged.log.push(m), warn: (m: string) => logged.warn.push(m) } };
}

function configError(env: Record<string, string>): string {
  try {
    loadPermitsConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the configuration was accepted');
}

describe('certificate signer configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signer-'));
  const file = (name: string, content: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const regency = file('regency.p12', selfSignedPkcs12({ commonName: 'Pemerintah Kabupaten Uji', passphrase: PASSPHRASE }));
  const development = file('development.p12', selfSignedPkcs12({ commonName: 'Uji (development)', passphrase: PASSPHRASE, development: true }));
  const expired = file('expired.p12', selfSignedPkcs12({ commonName: 'Kedaluwarsa', passphrase: PASSPHRASE, notBefore: new Date('2020-01-01T00:00:00Z'), validDays: 30 }));
  const passphraseFile = file('passphrase', `${PASSPHRASE}\n`);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a throwaway development key outside production when no key is configured, and says so', async () => {
    const { logged, logger } = recorder();
    const signer = certificateSignerFor(loadPermitsConfig({ NODE_ENV: 'test' }), logger);
    expect(signer).toBeInstanceOf(LocalCertificateSigner);
    expect(signer.name).toMatch(/^p12 .*\(development\)$/);
    expect(logged.warn.join('\n')).toContain('DEVELOPMENT key');
  });

  it('refuses to start production without a signer, with a half-configured key or an ambiguous passphrase', () => {
    expect(configError(PRODUCTION)).toContain('CERTIFICATE_P12_FILE is required in production');
    expect(configError({ ...PRODUCTION, CERTIFICATE_P12_FILE: regency })).toContain('CERTIFICATE_P12_PASSPHRASE or CERTIFICATE_P12_PASSPHRASE_FILE');
    const both = configError({ ...PRODUCTION, CERTIFICATE_P12_FILE: regency, CERTIFICATE_P12_PASSPHRASE: PASSPHRASE, CERTIFICATE_P12_PASSPHRASE_FILE: passphraseFile });
    expect(both).toContain('set CERTIFICATE_P12_PASSPHRASE or CERTIFICATE_P12_PASSPHRASE_FILE, not both');
    expect(both).not.toContain(PASSPHRASE);
    expect(configError({ ...PRODUCTION, CERTIFICATE_SIGNER: 'hsm' })).toContain('CERTIFICATE_SIGNER must be p12 or bsre');
  });

  it("opens the regency's key with its passphrase from a file, and logs what signs", () => {
    const { logged, logger } = recorder();
    const signer = certificateSignerFor(loadPermitsConfig({ ...PRODUCTION, CERTIFICATE_P12_FILE: regency, CERTIFICATE_P12_PASSPHRASE_FILE: passphraseFile }), logger);
    expect(signer.name).toBe('p12 Pemerintah Kabupaten Uji');
    expect(logged.log.join('\n')).toContain('certificates are signed with Pemerintah Kabupaten Uji');
    expect(logged.warn).toEqual([]);
  });

  it('stops the start with a clear reason for a development key in production, a wrong passphrase, a missing file and an expired certificate', () => {
    const start = (env: Record<string, string>) => () => certificateSignerFor(loadPermitsConfig(env), recorder().logger);
    const production = (p12: string, passphrase = PASSPHRASE) => ({ ...PRODUCTION, CERTIFICATE_P12_FILE: p12, CERTIFICATE_P12_PASSPHRASE: passphrase });
    expect(start(production(development))).toThrow(new FatalStartupError('CERTIFICATE_P12_FILE holds a development key (OU "not for production"): give production the regency\'s own signing key'));
    expect(start(production(regency, 'salah'))).toThrow(/^CERTIFICATE_P12_FILE: it is not a PKCS#12 file that this passphrase opens/);
    expect(start(production(join(dir, 'missing.p12')))).toThrow('CERTIFICATE_P12_FILE cannot be read (ENOENT)');
    expect(start({ ...PRODUCTION, CERTIFICATE_P12_FILE: regency, CERTIFICATE_P12_PASSPHRASE_FILE: join(dir, 'nope') })).toThrow('CERTIFICATE_P12_PASSPHRASE_FILE cannot be read (ENOENT)');
    expect(start(production(expired))).toThrow(/^the certificate in CERTIFICATE_P12_FILE expired on .* 2020 GMT: signatures made with it would not validate$/);
    // Outside production a development key is fine, and an expired one only warned about.
    const { logged, logger } = recorder();
    certificateSignerFor(loadPermitsConfig({ CERTIFICATE_P12_FILE: expired, CERTIFICATE_P12_PASSPHRASE: PASSPHRASE }), logger);
    expect(logged.warn.join('\n')).toMatch(/expired on .* 2020 GMT/);
    expect(certificateSignerFor(loadPermitsConfig({ CERTIFICATE_P12_FILE: development, CERTIFICATE_P12_PASSPHRASE: PASSPHRASE }), logger)).toBeInstanceOf(LocalCertificateSigner);
  });

  it('needs everything BSrE asks for, over https in production, its secrets inline or in files', () => {
    const bsre = { ...PRODUCTION, CERTIFICATE_SIGNER: 'bsre' };
    const missing = configError(bsre);
    for (const name of ['BSRE_URL is required', 'BSRE_USER is required', 'BSRE_PASSWORD or BSRE_PASSWORD_FILE', 'BSRE_NIK is required', 'BSRE_PASSPHRASE or BSRE_PASSPHRASE_FILE']) expect(missing).toContain(name);
    expect(missing).not.toContain('CERTIFICATE_P12_FILE');
    const complete = { ...bsre, BSRE_URL: 'https://esign.bssn.example.go.id', BSRE_USER: 'labura', BSRE_PASSWORD_FILE: passphraseFile, BSRE_NIK: '1207012345670001', BSRE_PASSPHRASE: 'rahasia' };
    expect(configError({ ...complete, BSRE_URL: 'http://esign.bssn.example.go.id' })).toContain('BSRE_URL must be https:// in production');
    expect(configError({ ...complete, BSRE_URL: 'https://esign.bssn.example.go.id/' })).toContain('BSRE_URL must be an http(s) URL without a trailing slash');
    expect(configError({ ...complete, BSRE_NIK: '12345' })).toContain("BSRE_NIK must be the signing official's 16-digit NIK");
    const { logged, logger } = recorder();
    const signer = certificateSignerFor(loadPermitsConfig(complete), logger);
    expect(signer).toBeInstanceOf(BsreSigner);
    expect(signer.name).toBe('bsre esign.bssn.example.go.id NIK 1207************');
    expect(logged.log).toEqual(['certificates are signed by BSrE at https://esign.bssn.example.go.id']);
  });
});
