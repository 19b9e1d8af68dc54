import * as QRCode from 'qrcode';
import {
  CertificateData,
  DEFAULT_ISSUE_PLACE,
  QR_OPTIONS,
  formatTanggal,
  renderCertificate,
  validityText,
} from './certificate-pdf';

const URL_ = 'https://layanan.labura.go.id/api/v1/permits/verify/AbC123dEf456GhI789jKl012MnO345pQr678';

function sample(overrides: Partial<CertificateData> = {}): CertificateData {
  return {
    regencyName: 'Pemerintah Kabupaten Labuhanbatu Utara',
    issuingAgencyName: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu',
    permitTypeName: 'Persetujuan Bangunan Gedung',
    permitTypeCode: 'PBG',
    certificateNumber: 'PBG/2026/000123',
    applicationNumber: 'PRM-2026-000123',
    holderName: 'Siti Rahmawati Harahap',
    details: [
      { label: 'Alamat lokasi', value: 'Jl. Jenderal Sudirman No. 12, Aek Kanopan' },
      { label: 'Fungsi bangunan', value: 'Hunian' },
    ],
    issuedAt: new Date('2026-08-17T02:00:00Z'),
    // 00:30 on 17 August in Jakarta, still 16 August in UTC
    expiresAt: new Date('2027-08-16T17:30:00Z'),
    verificationUrl: URL_,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------
// Minimal PDF reading, enough for what pdfkit writes

interface PdfStream {
  dict: string;
  data: Buffer;
}

/** Every `N 0 obj << … >> stream … endstream`, sliced by /Length so binary data is skipped. */
function streams(pdf: Buffer): PdfStream[] {
  const s = pdf.toString('latin1'); // 1 char per byte, so indexes match the Buffer
  const out: PdfStream[] = [];
  let from = 0;
  for (;;) {
    const at = s.indexOf('>>\nstream\n', from);
    if (at < 0) return out;
    const objStart = s.lastIndexOf(' 0 obj\n', at);
    const dict = s.slice(objStart, at + 2);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    const dataStart = at + '>>\nstream\n'.length;
    out.push({ dict, data: pdf.subarray(dataStart, dataStart + length) });
    from = dataStart + length;
  }
}

/** WinAnsi bytes of pdfkit's standard-font text; Latin-1 except the few 0x80–0x9F we could meet. */
function winAnsi(bytes: Buffer): string {
  return [...bytes].map((b) => (b === 0x85 ? '…' : b === 0x96 ? '–' : String.fromCharCode(b))).join('');
}

/**
 * Text lines of the (uncompressed) page content: pdfkit writes each line as one
 * `[<hex> kern <hex> …] TJ`; the kerning numbers are dropped and the pieces joined.
 */
function pageText(pdf: Buffer): string[] {
  const lines: string[] = [];
  for (const m of contentOps(pdf).matchAll(/\[([^\]]*)\] TJ/g)) {
    const hex = [...m[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]).join('');
    lines.push(winAnsi(Buffer.from(hex, 'hex')));
  }
  return lines;
}

/** Operators of the uncompressed content streams (no /Filter, not an XObject). */
function contentOps(pdf: Buffer): string {
  return streams(pdf)
    .filter((st) => !st.dict.includes('/Filter') && !st.dict.includes('/Subtype'))
    .map((st) => st.data.toString('latin1'))
    .join('\n');
}

/** Text line origins (PDF user space, origin bottom-left) from pdfkit's `1 0 0 1 x y Tm`. */
function textOrigins(pdf: Buffer): Array<{ x: number; y: number }> {
  return [...contentOps(pdf).matchAll(/^1 0 0 1 (-?[\d.]+) (-?[\d.]+) Tm$/gm)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
}

/** Every line starts inside the A4 page, clear of the edges (no text pushed off the page). */
function expectTextInsidePage(pdf: Buffer): void {
  const origins = textOrigins(pdf);
  expect(origins.length).toBe(pageText(pdf).length);
  for (const { x, y } of origins) {
    expect(x).toBeGreaterThanOrEqual(36);
    expect(x).toBeLessThan(595.28 - 36);
    expect(y).toBeGreaterThanOrEqual(36);
    expect(y).toBeLessThan(841.89 - 36);
  }
}

/** The QR's white field (QR_SIZE points across) and the dark modules' squares after it, as pdfkit writes them: `x y w h re` in its top-down page coordinates. */
const QR_FIELD = 118;
function qrDrawing(pdf: Buffer): { field: { x: number; y: number }; squares: Array<{ x: number; y: number; w: number; h: number }> } {
  const ops = contentOps(pdf);
  const fieldOp = new RegExp(`(-?[\\d.]+) (-?[\\d.]+) ${QR_FIELD} ${QR_FIELD} re\\n`).exec(ops);
  if (!fieldOp) throw new Error('no QR field drawn');
  const after = ops.slice(fieldOp.index + fieldOp[0].length);
  // the field is filled white, then the modules are one path filled black
  const path = /^f\n([\s\S]*?)\nf\n/.exec(after.replace(/^[^\n]*rg\n|^[^\n]*scn\n|^[^\n]*cs\n/gm, ''));
  if (!path) throw new Error('no QR modules drawn');
  const squares = [...path[1].matchAll(/(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+) re/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }));
  return { field: { x: Number(fieldOp[1]), y: Number(fieldOp[2]) }, squares };
}

/** Top edge of the QR in PDF user space (origin bottom-left): pdfkit flips the page, so y top-down is 841.89 - y. */
function qrTop(pdf: Buffer): number {
  return 841.89 - qrDrawing(pdf).field.y;
}

/**
 * Reads the module grid back from the squares: the symbol is size+2*margin modules across the
 * field; each square must be one module, inside the symbol (the quiet zone stays light).
 */
function readModules(pdf: Buffer, size: number, margin: number): boolean[][] {
  const { field, squares } = qrDrawing(pdf);
  const cell = QR_FIELD / (size + 2 * margin);
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  for (const sq of squares) {
    expect(Math.abs(sq.w - cell)).toBeLessThan(0.01);
    expect(Math.abs(sq.h - cell)).toBeLessThan(0.01);
    const col = Math.round((sq.x - field.x) / cell) - margin;
    const row = Math.round((sq.y - field.y) / cell) - margin;
    expect([row >= 0 && row < size, col >= 0 && col < size]).toEqual([true, true]);
    expect(grid[row][col]).toBe(false); // each module once
    grid[row][col] = true;
  }
  return grid;
}

/** Page text with line breaks folded into spaces (pdfkit wraps long strings). */
function flatText(pdf: Buffer): string {
  return pageText(pdf)
    .map((l) => l.trim())
    .join(' ')
    .replace(/\s+/g, ' ');
}

// ---------------------------------------------------------------------------

describe('formatTanggal', () => {
  it('writes the Jakarta calendar date in Indonesian long form', () => {
    expect(formatTanggal(new Date('2027-08-17T05:00:00Z'))).toBe('17 Agustus 2027');
    expect(formatTanggal(new Date('2026-03-05T00:00:00Z'))).toBe('5 Maret 2026');
  });

  it('uses the Jakarta date near midnight UTC (UTC+7)', () => {
    expect(formatTanggal(new Date('2026-12-31T18:00:00Z'))).toBe('1 Januari 2027');
    expect(formatTanggal(new Date('2026-12-31T16:59:59Z'))).toBe('31 Desember 2026');
    expect(formatTanggal(new Date('2026-12-31T17:00:00Z'))).toBe('1 Januari 2027');
  });

  it("agrees with Intl 'id-ID' long form for every month", () => {
    const intl = new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', day: 'numeric', month: 'long', year: 'numeric' });
    for (let m = 0; m < 12; m++) {
      const d = new Date(Date.UTC(2027, m, 28, 20, 0)); // 03:00 next day in Jakarta
      expect(formatTanggal(d)).toBe(intl.format(d));
    }
  });

  it('rejects an invalid date', () => {
    expect(() => formatTanggal(new Date('nope'))).toThrow(RangeError);
  });

  it('validity line', () => {
    expect(validityText(new Date('2027-08-16T17:30:00Z'))).toBe('Berlaku sampai: 17 Agustus 2027');
    expect(validityText(null)).toBe('Berlaku tanpa batas waktu');
  });
});

describe('renderCertificate', () => {
  // the sample, rendered once each way
  let packed: Buffer;
  let plain: Buffer;
  beforeAll(async () => {
    [packed, plain] = await Promise.all([renderCertificate(sample()), renderCertificate(sample(), { compress: false })]);
  });

  it('is a one-page A4 PDF with the metadata set', async () => {
    const pdf = packed;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const s = pdf.toString('latin1');
    expect(s).toMatch(/\/Type \/Pages\s*\/Count 1\b/);
    expect(s).toContain('/MediaBox [0 0 595.28 841.89]');
    expect(s).toContain('(Surat Izin Persetujuan Bangunan Gedung Nomor PBG/2026/000123)'); // Title
    expect(s).toContain('(Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu)'); // Author
    expect(s).toContain('(Surat Izin Persetujuan Bangunan Gedung \\(PBG\\) atas permohonan PRM-2026-000123)'); // Subject
    expect(s).toContain('(D:20260817020000Z)'); // CreationDate = issuedAt
    expect(s).toMatch(/\/Title \d+ 0 R/);
    expect(s).toContain('/Lang (id-ID)');
  });

  it('is byte-for-byte deterministic for the same data', async () => {
    const a = packed;
    expect(a.equals(await renderCertificate(sample()))).toBe(true);
    const c = await renderCertificate(sample({ issuedAt: new Date('2026-08-17T02:00:01Z') }));
    expect(a.equals(c)).toBe(false);
  });

  it('compresses the page content by default, so the text is not readable raw', async () => {
    const pdf = packed;
    expect(pageText(plain).length).toBeGreaterThan(10);
    expect(pageText(pdf)).toEqual([]);
    expect(pdf.toString('latin1')).not.toContain(Buffer.from('Siti Rahmawati').toString('hex'));
  });

  it('writes the certificate text', async () => {
    const pdf = plain;
    const lines = pageText(pdf);
    const text = flatText(pdf);
    expectTextInsidePage(pdf);
    expect(lines).toContain('PEMERINTAH KABUPATEN LABUHANBATU UTARA');
    expect(lines).toContain('SURAT IZIN');
    expect(lines).toContain('Persetujuan Bangunan Gedung');
    expect(lines).toContain('Nomor: PBG/2026/000123');
    expect(lines).toContain('Siti Rahmawati Harahap');
    expect(lines).toContain('PRM-2026-000123');
    expect(lines).toContain('Persetujuan Bangunan Gedung (PBG)');
    expect(text).toContain('Alamat lokasi : Jl. Jenderal Sudirman No. 12, Aek Kanopan');
    expect(text).toContain('Fungsi bangunan : Hunian');
    expect(lines).toContain('Berlaku sampai: 17 Agustus 2027');
    expect(text).not.toContain('tanpa batas waktu');
    expect(text).not.toContain('tidak dimuat');
    expect(lines).toContain(`Ditetapkan di ${DEFAULT_ISSUE_PLACE}`);
    expect(DEFAULT_ISSUE_PLACE).toBe('Aek Kanopan');
    expect(lines).toContain('pada tanggal 17 Agustus 2026');
    expect(lines).toContain('Pindai untuk memeriksa keaslian izin ini');
    // the URL is printed in small type, wrapped over lines
    expect(lines.map((l) => l.trim()).join('')).toContain(URL_);
  });

  it('says "Berlaku tanpa batas waktu" when there is no expiry', async () => {
    const lines = pageText(await renderCertificate(sample({ expiresAt: null }), { compress: false }));
    expect(lines).toContain('Berlaku tanpa batas waktu');
    expect(lines.join('\n')).not.toContain('Berlaku sampai');
  });

  it('prints Jakarta dates for instants just before midnight UTC', async () => {
    const pdf = await renderCertificate(
      sample({ issuedAt: new Date('2026-12-31T18:00:00Z'), expiresAt: new Date('2031-12-31T18:00:00Z') }),
      { compress: false },
    );
    const lines = pageText(pdf);
    expect(lines).toContain('pada tanggal 1 Januari 2027');
    expect(lines).toContain('Berlaku sampai: 1 Januari 2032');
    expect(pdf.toString('latin1')).toContain('(D:20261231180000Z)'); // metadata stays UTC
  });

  it('takes the place of issue as an option', async () => {
    const lines = pageText(await renderCertificate(sample(), { compress: false, place: 'Medan' }));
    expect(lines).toContain('Ditetapkan di Medan');
    expect(lines).not.toContain('Ditetapkan di Aek Kanopan');
  });

  it('stays on one page when the details do not fit, cutting them off', async () => {
    const details = Array.from({ length: 40 }, (_, i) => ({
      label: `Keterangan ${i + 1}`,
      value: 'Nilai yang cukup panjang sehingga harus dibungkus ke baris berikutnya. '.repeat(3),
    }));
    const pdf = await renderCertificate(sample({ details, verificationUrl: `${URL_}${'x'.repeat(200)}` }), { compress: false });
    expect(pdf.toString('latin1')).toMatch(/\/Type \/Pages\s*\/Count 1\b/);
    expectTextInsidePage(pdf);
    const text = flatText(pdf);
    expect(text).toContain('Keterangan 1 :');
    expect(text).not.toContain('Keterangan 40');
    const shown = text.match(/Keterangan \d+ :/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(text).toContain(`… dan ${40 - shown} keterangan lain tidak dimuat`);
    // the footer is still there, below everything drawn before it
    expect(text).toContain('Berlaku sampai: 17 Agustus 2027');
    const lines = pageText(pdf);
    const origins = textOrigins(pdf);
    const validity = lines.indexOf('Berlaku sampai: 17 Agustus 2027');
    const lowestAbove = Math.min(...origins.slice(0, validity).map((o) => o.y));
    expect(lowestAbove - origins[validity].y).toBeGreaterThanOrEqual(12); // at least a line apart
    // and nothing written before the QR image (table, validity, notice) reaches down into it
    const caption = lines.indexOf('Pindai untuk memeriksa keaslian izin ini');
    const lowestBody = Math.min(...origins.slice(0, caption).map((o) => o.y));
    expect(lowestBody - 3).toBeGreaterThan(qrTop(pdf));
    expect(text).toContain('Pindai untuk memeriksa keaslian izin ini');
  });

  describe('QR code', () => {
    it('is drawn once, as vector squares in a white field 118 pt across, with no image in the file', async () => {
      const pdf = plain;
      const { squares } = qrDrawing(pdf);
      const expected = QRCode.create(URL_, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel }).modules;
      expect(squares).toHaveLength([...expected.data].filter((d) => d === 1).length);
      expect(streams(pdf).filter((st) => /\/Subtype \/Image/.test(st.dict))).toHaveLength(0);
      expect(contentOps(pdf).match(new RegExp(` ${QR_FIELD} ${QR_FIELD} re`, 'g'))).toHaveLength(1);
    });

    it('has the modules of the verification URL encoded at level M (read back from the squares)', async () => {
      const pdf = plain;
      const expected = QRCode.create(URL_, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel }).modules;
      const size = expected.size;
      const grid = readModules(pdf, size, QR_OPTIONS.margin);
      const mod = (r: number, c: number): boolean => grid[r][c];

      // every module equals the symbol qrcode builds for this URL
      let mismatches = 0;
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) if (mod(r, c) !== (expected.data[r * size + c] === 1)) mismatches++;
      expect(mismatches).toBe(0);

      // and, read from the drawing without qrcode's help: the symbol's format information (ISO/IEC
      // 18004) says level M. Its 15 bits are stored twice, down column 8 (rows 0-5, 7, 8, then the
      // bottom 7 rows) and along row 8 (the right 8 columns, then columns 7, 5..0); both copies must
      // agree, and after XOR with 101010000010010 the top two bits are the EC level (M = 00).
      const formatBit = (i: number): number => {
        if (i < 6) return mod(i, 8) ? 1 : 0;
        if (i < 8) return mod(i + 1, 8) ? 1 : 0;
        return mod(size - 15 + i, 8) ? 1 : 0;
      };
      const formatBitH = (i: number): number => {
        if (i < 8) return mod(8, size - i - 1) ? 1 : 0;
        if (i < 9) return mod(8, 15 - i) ? 1 : 0;
        return mod(8, 14 - i) ? 1 : 0;
      };
      let v = 0;
      let h = 0;
      for (let i = 0; i < 15; i++) {
        v |= formatBit(i) << i;
        h |= formatBitH(i) << i;
      }
      expect(v).toBe(h);
      expect(((v ^ 0b101010000010010) >> 13) & 0b11).toBe(0b00);
    });

    it('changes when the URL changes', async () => {
      const a = qrDrawing(await renderCertificate(sample(), { compress: false })).squares;
      const b = qrDrawing(await renderCertificate(sample({ verificationUrl: `${URL_.slice(0, -1)}9` }), { compress: false })).squares;
      expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    });

    it('uses the options the module exports: level M, a quiet zone of one module', () => {
      expect(QR_OPTIONS).toEqual({ errorCorrectionLevel: 'M', margin: 1 });
    });
  });
});
