import { Signer } from '@signpdf/utils';
import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, X509Certificate } from 'crypto';
import forge from 'node-forge';

/** A private key and the certificates that go with it: the signer's first, then its chain. */
export interface SigningKey {
  key: KeyObject;
  certificate: X509Certificate;
  /** DER, the signer's certificate first. */
  chain: Buffer[];
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

/** The key, its certificate and chain from a PKCS#12 (.p12/.pfx) file; throws a reason fit for an operator. */
export function readPkcs12(p12: Buffer, passphrase: string): SigningKey {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary'))), false, passphrase);
  } catch (error) {
    throw new Error(`it is not a PKCS#12 file that this passphrase opens (${(error as Error).message})`);
  }
  const { pkcs8ShroudedKeyBag, keyBag, certBag } = forge.pki.oids;
  const bags = (type: string) => pfx.getBags({ bagType: type })[type] ?? [];
  const privateKey = [...bags(pkcs8ShroudedKeyBag), ...bags(keyBag)].find((b) => b.key)?.key;
  if (!privateKey) throw new Error('it holds no private key (an RSA key is needed)');
  const key = createPrivateKey(forge.pki.privateKeyToPem(privateKey));
  const certificates = bags(certBag)
    .filter((b) => b.cert)
    .map((b) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'));
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const own = certificates.find((der) => new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }).equals(spki));
  if (!own) throw new Error('none of its certificates belongs to its private key');
  return { key, certificate: new X509Certificate(own), chain: [own, ...certificates.filter((c) => c !== own)] };
}

/**
 * CMS SignedData for PAdES (ETSI EN 319 142-1, baseline B-B, SubFilter ETSI.CAdES.detached): a
 * detached SHA-256 signature whose signed attributes are content-type, message-digest and ESS
 * signing-certificate-v2, and no signing-time (the PDF's /M carries the time). @signpdf/signer-p12
 * writes signing-time and no signing-certificate-v2, which that profile forbids and requires.
 */
export class CadesSigner extends Signer {
  constructor(private readonly signingKey: SigningKey) {
    super();
  }

  override async sign(content: Buffer): Promise<Buffer> {
    const { key, chain } = this.signingKey;
    const own = chain[0];
    const { issuer, serial } = issuerAndSerial(own);
    const attributes = [
      attribute(OID.contentType, oid(OID.data)),
      attribute(OID.messageDigest, octets(sha256(content))),
      // SigningCertificateV2 { certs: [ESSCertIDv2 { certHash (SHA-256 by default), issuerSerial }] }
      attribute(OID.signingCertificateV2, seq(seq(seq(octets(sha256(own)), seq(seq(tlv(0xa4, issuer)), serial))))),
    ].sort(Buffer.compare); // DER: a SET OF in the order of its encodings
    // Signed as a SET; carried in SignerInfo as [0] IMPLICIT.
    const signature = sign('sha256', tlv(0x31, ...attributes), key);
    const algorithm = key.asymmetricKeyType === 'ec' ? seq(oid(OID.ecdsaWithSha256)) : seq(oid(OID.rsaEncryption), NULL);
    const signerInfo = seq(int(1), seq(issuer, serial), seq(oid(OID.sha256)), tlv(0xa0, ...attributes), algorithm, octets(signature));
    const signedData = seq(int(1), tlv(0x31, seq(oid(OID.sha256))), seq(oid(OID.data)), tlv(0xa0, ...chain), tlv(0x31, signerInfo));
    return seq(oid(OID.signedData), tlv(0xa0, signedData));
  }
}

// ---- DER, as much as the structure above needs -------------------------------------------------

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length: number[] = [];
  for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
  const header = body.length < 0x80 ? [tag, body.length] : [tag, 0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from(header), body]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const octets = (bytes: Buffer) => tlv(0x04, bytes);
const int = (small: number) => tlv(0x02, Buffer.from([small]));
const oid = (dotted: string) => tlv(0x06, Buffer.from(forge.asn1.oidToDer(dotted).getBytes(), 'binary'));
const NULL = Buffer.from([0x05, 0x00]);
const attribute = (type: string, value: Buffer) => seq(oid(type), tlv(0x31, value));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/** The encodings of the elements inside a constructed DER value. */
function elements(der: Buffer): Buffer[] {
  const { start, end } = extent(der, 0);
  const out: Buffer[] = [];
  for (let at = start; at < end; ) {
    const next = extent(der, at).end;
    out.push(der.subarray(at, next));
    at = next;
  }
  return out;
}

/** Where the content of the element at `at` starts, and where the element ends. */
function extent(der: Buffer, at: number): { start: number; end: number } {
  const first = der[at + 1];
  if (first < 0x80) return { start: at + 2, end: at + 2 + first };
  let length = 0;
  for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + der[at + 2 + i];
  const start = at + 2 + (first & 0x7f);
  return { start, end: start + length };
}

/** The certificate's issuer Name and serial number INTEGER, as encoded in it. */
function issuerAndSerial(certificate: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = elements(elements(certificate)[0]);
  const at = tbs[0][0] === 0xa0 ? 1 : 0; // [0] version, absent in v1 certificates
  return { serial: tbs[at], issuer: tbs[at + 2] };
}
