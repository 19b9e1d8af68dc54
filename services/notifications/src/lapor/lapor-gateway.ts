import { LaporReportResponse } from '@smart-regency/contracts';
import { exchange, failureOf, HttpAnswer, HttpFailure, isHeaderToken, jsonObject } from '@smart-regency/platform';

/** What is forwarded: the complaint as complaints.lapor.report gives it (never the reporter's identity, so `reporter` is only ever absent). */
export type LaporReport = Omit<LaporReportResponse, 'found'> & {
  /** Absent for anonymous and confidential reports (and dropped here if a caller sends one). */
  reporter?: { name: string; email?: string; phone?: string };
};

export type LaporForwardOutcome = { ok: true; laporId: string } | { ok: false; permanent: boolean; reason: string; retryAfterMs?: number };

export interface LaporStatus {
  laporId: string;
  status: string;
  statusText?: string;
  response?: string;
  updatedAt: string;
}

export type LaporStatusOutcome = { ok: true; status: LaporStatus } | { ok: false; permanent: boolean; reason: string };

/** Complaints forwarded to SP4N-LAPOR!, the national channel, and their progress there. Never throws. */
export interface LaporGateway {
  forward(report: LaporReport): Promise<LaporForwardOutcome>;
  status(laporId: string): Promise<LaporStatusOutcome>;
}

export interface HttpLaporGatewayOptions {
  /** Base URL: reports go to `{url}/reports`. */
  url: string;
  token: string;
  timeoutMs: number;
}

const MAX_RESPONSE_BYTES = 65536;
const WHO = 'LAPOR!';
// Ids go back into a URL path; anything else in their place is a broken answer.
const LAPOR_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The adapter over the API sketched in docs/lapor.md (to be confirmed with KemenPAN-RB). */
export class HttpLaporGateway implements LaporGateway {
  private readonly base: string;

  constructor(private readonly options: HttpLaporGatewayOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async forward(report: LaporReport): Promise<LaporForwardOutcome> {
    try {
      if (!isHeaderToken(report.reference)) return { ok: false, permanent: true, reason: `${WHO}: reference unfit for Idempotency-Key` };
      const result = await this.call('POST', '/reports', JSON.stringify(toLapor(report)), report.reference);
      if (!result.ok) return result;
      const { answer } = result;
      if (answer.status < 200 || answer.status >= 300) return failureOf(answer, WHO);
      const id = jsonObject(answer.body)?.id;
      // The report may well be stored: the retry's Idempotency-Key gets its id back.
      if (typeof id !== 'string' || !LAPOR_ID.test(id)) return { ok: false, permanent: false, reason: `${WHO} answered ${answer.status} without a valid report id` };
      return { ok: true, laporId: id };
    } catch {
      return { ok: false, permanent: false, reason: `${WHO}: unexpected failure` };
    }
  }

  async status(laporId: string): Promise<LaporStatusOutcome> {
    try {
      if (!LAPOR_ID.test(laporId)) return { ok: false, permanent: true, reason: `${WHO}: not a report id` };
      const result = await this.call('GET', `/reports/${encodeURIComponent(laporId)}`);
      if (!result.ok) return withoutRetryAfter(result);
      const { answer } = result;
      if (answer.status < 200 || answer.status >= 300) return withoutRetryAfter(failureOf(answer, WHO));
      const status = fromLapor(answer, laporId);
      return status ? { ok: true, status } : { ok: false, permanent: false, reason: `${WHO} answered ${answer.status} with a malformed status` };
    } catch {
      return { ok: false, permanent: false, reason: `${WHO}: unexpected failure` };
    }
  }

  private call(method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json', 'user-agent': 'smart-regency-notifications/1' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return exchange(`${this.base}${path}`, { method, headers, body, timeoutMs: this.options.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES }, WHO);
  }
}

/** Our report as LAPOR! takes it (the table in docs/lapor.md). Only a public report names its reporter. */
export function toLapor(report: LaporReport): Record<string, unknown> {
  const { location, reporter } = report;
  return {
    referensi: report.reference,
    nomorPelacakan: report.trackingNumber,
    judul: report.title,
    isi: report.description,
    kategori: report.category,
    ...(report.agencyCode ? { instansi: report.agencyCode } : {}),
    ...(location ? { lokasi: { lat: location.lat, lng: location.lng, kecamatan: location.district, desa: location.village, alamat: location.address } } : {}),
    anonim: report.visibility === 'anonymous',
    rahasia: report.visibility === 'confidential',
    ...(report.visibility === 'public' && reporter ? { pelapor: { nama: reporter.name, email: reporter.email, telepon: reporter.phone } } : {}),
    tanggalLapor: report.submittedAt,
  };
}

/** LAPOR!'s status answer as ours, or undefined when it is not the shape agreed (or about another report). */
function fromLapor(answer: HttpAnswer, laporId: string): LaporStatus | undefined {
  const json = jsonObject(answer.body);
  if (!json || json.id !== laporId || typeof json.status !== 'string' || json.status === '') return undefined;
  if (typeof json.updatedAt !== 'string' || Number.isNaN(Date.parse(json.updatedAt))) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  if (![json.keterangan, json.tanggapan].every((v) => v === undefined || v === null || typeof v === 'string')) return undefined;
  return { laporId, status: json.status, statusText: text(json.keterangan), response: text(json.tanggapan), updatedAt: json.updatedAt };
}

// LaporStatusOutcome has no retryAfterMs: a status read is polled on the caller's own schedule.
function withoutRetryAfter(failure: HttpFailure): { ok: false; permanent: boolean; reason: string } {
  return { ok: false, permanent: failure.permanent, reason: failure.reason };
}
