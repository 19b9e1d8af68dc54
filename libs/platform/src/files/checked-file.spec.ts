import { DomainError } from '../errors/domain-error';
import { checkFile, sha256Hex } from './checked-file';
import { sniffContentType } from './sniff';

const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16, 2)]);

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'no error';
};

describe('uploaded files', () => {
  it('knows PDF, JPEG and PNG by their first bytes, nothing else', () => {
    expect([PDF, JPEG, PNG].map(sniffContentType)).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
    expect(sniffContentType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffContentType(Buffer.from('%PD'))).toBeNull();
  });

  it('records size and sha256 of a file that is what it claims', () => {
    const checked = checkFile(PNG, 'image/png', 'COMPLAINTS.CONTENT_MISMATCH');
    expect(checked).toMatchObject({ contentType: 'image/png', size: PNG.length, sha256: sha256Hex(PNG) });
    expect(checked.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses empty, oversized and mislabelled files with their codes', () => {
    expect(codeOf(() => checkFile(Buffer.alloc(0), 'application/pdf', 'PERMITS.CONTENT_MISMATCH'))).toBe('COMMON.VALIDATION');
    expect(codeOf(() => checkFile(PDF, 'application/pdf', 'PERMITS.CONTENT_MISMATCH', PDF.length - 1))).toBe('COMMON.PAYLOAD_TOO_LARGE');
    expect(codeOf(() => checkFile(PDF, 'image/png', 'PERMITS.CONTENT_MISMATCH'))).toBe('PERMITS.CONTENT_MISMATCH');
    expect(codeOf(() => checkFile(Buffer.from('plain text'), 'application/pdf', 'COMPLAINTS.CONTENT_MISMATCH'))).toBe('COMPLAINTS.CONTENT_MISMATCH');
  });
});
