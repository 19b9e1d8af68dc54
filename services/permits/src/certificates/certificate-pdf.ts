import PDFDocument from 'pdfkit';
import * as QRCode from 'qrcode';

/** What goes on an issued permit's certificate. */
export interface CertificateData {
  /** e.g. 'Pemerintah Kabupaten Labuhanbatu Utara' */
  regencyName: string;
  /** e.g. 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu' */
  issuingAgencyName: string;
  /** e.g. 'Persetujuan Bangunan Gedung' */
  permitTypeName: string;
  permitTypeCode: string;
  /** e.g. 'PBG/2026/000123' */
  certificateNumber: string;
  /** e.g. 'PRM-2026-000123' */
  applicationNumber: string;
  /** Full name of the holder (the PDF goes only to the owner and staff). */
  holderName: string;
  /** Selected form fields, e.g. { label: 'Alamat lokasi', value: '...' }. */
  details: Array<{ label: string; value: string }>;
  issuedAt: Date;
  /** null: no expiry. */
  expiresAt: Date | null;
  /** e.g. 'https://layanan.labura.go.id/api/v1/permits/verify/AbC123...' */
  verificationUrl: string;
}

export interface RenderCertificateOptions {
  /** Where the certificate is issued; defaults to the regency seat. */
  place?: string;
  /** Deflate the page content streams (default true). Tests pass false to read the text back. */
  compress?: boolean;
}

/** The regency seat of Labuhanbatu Utara. */
export const DEFAULT_ISSUE_PLACE = 'Aek Kanopan';

/** The QR symbol's options (`qrcode.create`) and its quiet zone in modules; exported so tests can rebuild the same symbol. */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 1 } as const;

export const CERTIFICATE_TIME_ZONE = 'Asia/Jakarta';

const MONTHS_ID = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
];

const jakartaDateParts = new Intl.DateTimeFormat('en-US', {
  timeZone: CERTIFICATE_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/**
 * The calendar date in Asia/Jakarta in Indonesian long form, e.g. '17 Agustus 2027'.
 * Intl picks the Jakarta day; month names come from a fixed table so the text does not
 * depend on which ICU locale data the runtime ships (it equals Intl 'id-ID' long form).
 */
export function formatTanggal(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date');
  const parts = jakartaDateParts.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value);
  return `${part('day')} ${MONTHS_ID[part('month') - 1]} ${part('year')}`;
}

export function validityText(expiresAt: Date | null): string {
  return expiresAt ? `Berlaku sampai: ${formatTanggal(expiresAt)}` : 'Berlaku tanpa batas waktu';
}

const FONT = 'Helvetica';
const FONT_BOLD = 'Helvetica-Bold';
const FONT_ITALIC = 'Helvetica-Oblique';
const TEXT = '#000000';
const MUTED = '#444444';

const MARGIN = { top: 50, bottom: 40, left: 60, right: 60 };
const QR_SIZE = 118; // points (~4.2 cm)
const FOOTER_HEIGHT = 185; // QR + caption + URL, and the issue place/date column

/**
 * Renders a one-page A4 certificate (Indonesian) for an issued permit, with a QR code of
 * the verification URL. Uses only the PDF standard fonts (Helvetica family, WinAnsi
 * encoding): text outside Latin-1/WinAnsi will not render correctly.
 */
export async function renderCertificate(
  data: CertificateData,
  options: RenderCertificateOptions = {},
): Promise<Buffer> {
  const place = options.place ?? DEFAULT_ISSUE_PLACE;
  const qr = QRCode.create(data.verificationUrl, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel }).modules;

  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    compress: options.compress ?? true,
    lang: 'id-ID',
    displayTitle: true,
    font: FONT,
    info: {
      Title: `Surat Izin ${data.permitTypeName} Nomor ${data.certificateNumber}`,
      Author: data.issuingAgencyName,
      Subject: `Surat Izin ${data.permitTypeName} (${data.permitTypeCode}) atas permohonan ${data.applicationNumber}`,
      Creator: data.regencyName,
      CreationDate: data.issuedAt,
    },
  });

  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  try {
    draw(doc, data, place, qr);
  } catch (err) {
    done.catch(() => undefined); // the drawing error is the one to report
    doc.end();
    throw err;
  }
  doc.end();
  return done;
}

function draw(doc: PDFKit.PDFDocument, data: CertificateData, place: string, qr: QrModules): void {
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const footerTop = doc.page.height - MARGIN.bottom - FOOTER_HEIGHT;
  doc.fillColor(TEXT);

  // Letterhead
  let y = MARGIN.top;
  doc.font(FONT_BOLD).fontSize(14);
  y = put(doc, data.regencyName.toUpperCase(), left, y, { width, align: 'center', height: 40 });
  doc.font(FONT_BOLD).fontSize(12);
  y = put(doc, data.issuingAgencyName.toUpperCase(), left, y + 2, { width, align: 'center', height: 45 });
  y += 6;
  doc.lineWidth(1.5).moveTo(left, y).lineTo(left + width, y).stroke(TEXT);
  doc.lineWidth(0.5).moveTo(left, y + 3).lineTo(left + width, y + 3).stroke(TEXT);
  y += 24;

  // Title
  doc.font(FONT_BOLD).fontSize(20);
  y = put(doc, 'SURAT IZIN', left, y, { width, align: 'center', height: 30, characterSpacing: 2 });
  doc.font(FONT_BOLD).fontSize(15);
  y = put(doc, data.permitTypeName, left, y + 4, { width, align: 'center', height: 40 });
  doc.font(FONT).fontSize(11);
  y = put(doc, `Nomor: ${data.certificateNumber}`, left, y + 4, { width, align: 'center', height: 16 });
  y += 22;

  // Body
  doc.font(FONT).fontSize(11);
  y = put(
    doc,
    `Berdasarkan permohonan nomor ${data.applicationNumber}, dengan ini diberikan ` +
      `${data.permitTypeName} kepada:`,
    left,
    y,
    { width, align: 'left', height: 45 },
  );
  y += 10;

  const rows = [
    { label: 'Nama pemegang izin', value: data.holderName, bold: true },
    { label: 'Jenis izin', value: `${data.permitTypeName} (${data.permitTypeCode})`, bold: false },
    { label: 'Nomor permohonan', value: data.applicationNumber, bold: false },
    ...data.details.map((d) => ({ ...d, bold: false })),
  ];
  // Everything between here and the footer is for the table and the validity line. Rows
  // that do not fit are cut off rather than spilling onto a second page: the first one
  // with an ellipsis, the rest counted in a closing note.
  const validityHeight = 50;
  const tableBottom = footerTop - validityHeight;
  const labelWidth = 150;
  const colonWidth = 12;
  const valueX = left + labelWidth + colonWidth;
  const valueWidth = width - labelWidth - colonWidth;
  const rowGap = 4;
  doc.fontSize(11);
  const lineHeight = doc.font(FONT).currentLineHeight(true);
  const heights = rows.map((row) => {
    const labelH = doc.font(FONT).heightOfString(row.label, { width: labelWidth });
    const valueH = doc.font(row.bold ? FONT_BOLD : FONT).heightOfString(row.value || '-', { width: valueWidth });
    return Math.max(labelH, valueH);
  });
  const total = heights.reduce((sum, h) => sum + h + rowGap, 0);
  const limit = y + total <= tableBottom ? tableBottom : tableBottom - lineHeight - rowGap;
  let shown = 0;
  for (const [i, row] of rows.entries()) {
    const room = limit - y;
    if (room < lineHeight) break;
    const height = Math.min(heights[i], room);
    doc.font(FONT);
    doc.text(row.label, left, y, { width: labelWidth, height, ellipsis: true });
    doc.text(':', left + labelWidth, y, { width: colonWidth, height, lineBreak: false });
    doc.font(row.bold ? FONT_BOLD : FONT);
    doc.text(row.value || '-', valueX, y, { width: valueWidth, height, ellipsis: true });
    y += height + rowGap;
    shown++;
    if (heights[i] > room) break;
  }
  if (shown < rows.length) {
    doc.font(FONT_ITALIC).fontSize(10).fillColor(MUTED);
    const note = `\u2026 dan ${rows.length - shown} keterangan lain tidak dimuat`;
    y = put(doc, note, valueX, y, { width: valueWidth, height: lineHeight });
    doc.fillColor(TEXT);
  }

  y = Math.max(y + 8, Math.min(y + 14, tableBottom));
  doc.font(FONT_BOLD).fontSize(12);
  y = put(doc, validityText(data.expiresAt), left, y, { width, height: 18 });
  doc.font(FONT_ITALIC).fontSize(9).fillColor(MUTED);
  put(
    doc,
    'Dokumen ini diterbitkan secara elektronik. Keasliannya dapat diperiksa dengan memindai kode QR di bawah.',
    left,
    y + 4,
    { width, height: 24 },
  );
  doc.fillColor(TEXT);

  // Footer: QR on the left, place/date and the issuing agency on the right
  const qrY = footerTop + 8;
  drawQr(doc, qr, left, qrY);
  const captionWidth = 230;
  doc.font(FONT).fontSize(8.5);
  const cy = put(doc, 'Pindai untuk memeriksa keaslian izin ini', left, qrY + QR_SIZE + 4, {
    width: captionWidth,
    height: 12,
  });
  doc.font(FONT).fontSize(6.5).fillColor(MUTED);
  put(doc, data.verificationUrl, left, cy + 1, {
    width: captionWidth,
    height: doc.page.height - MARGIN.bottom - cy - 1,
  });
  doc.fillColor(TEXT);

  const signX = left + width - 220;
  const signWidth = 220;
  let sy = qrY + 10;
  doc.font(FONT).fontSize(11);
  sy = put(doc, `Ditetapkan di ${place}`, signX, sy, { width: signWidth, height: 16 });
  sy = put(doc, `pada tanggal ${formatTanggal(data.issuedAt)}`, signX, sy + 2, { width: signWidth, height: 16 });
  doc.font(FONT_BOLD).fontSize(10);
  sy = put(doc, data.issuingAgencyName, signX, sy + 18, { width: signWidth, height: 50 });
  doc.font(FONT).fontSize(10);
  put(doc, data.regencyName, signX, sy + 2, { width: signWidth, height: 30 });
}

/** The module grid of a QR symbol as `qrcode.create` builds it (`data[row * size + col]` is 1 when dark). */
type QrModules = { size: number; data: ArrayLike<number> };

/**
 * The QR symbol as vector squares, QR_SIZE points across with its quiet zone: sharp at any zoom
 * or print size, and a tenth of the work of a PNG encoded here and decoded again by pdfkit
 * (8.7 ms of CPU per certificate). Light modules are the page; dark ones are one filled path.
 */
function drawQr(doc: PDFKit.PDFDocument, qr: QrModules, x: number, y: number): void {
  const m = QR_OPTIONS.margin;
  const cell = QR_SIZE / (qr.size + 2 * m);
  doc.save();
  doc.rect(x, y, QR_SIZE, QR_SIZE).fill('#ffffff');
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) {
      if (qr.data[row * qr.size + col]) doc.rect(x + (col + m) * cell, y + (row + m) * cell, cell, cell);
    }
  }
  doc.fill('#000000');
  doc.restore();
}

/**
 * Writes text at an absolute position and returns the y below it. A `height` is always
 * given so pdfkit truncates instead of adding a page.
 */
function put(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  opts: PDFKit.Mixins.TextOptions & { width: number; height: number },
): number {
  const measured = doc.heightOfString(text, opts);
  doc.text(text, x, y, { ellipsis: true, ...opts });
  return y + Math.min(measured, opts.height);
}
