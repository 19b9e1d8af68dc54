import { IncomingMessage } from 'http';
import { Arrivals } from './arrivals';
import { FakeReply, HttpFake, HttpFakeOptions } from './http-fake';

export interface LaporRecord {
  laporId: string;
  /** The body as it arrived: what a test of the mapping reads. */
  body: Record<string, unknown>;
  idempotencyKey?: string;
  status: string;
  keterangan?: string;
  tanggapan?: string;
  updatedAt: string;
}

/**
 * The SP4N-LAPOR! side as docs/lapor.md describes it: `POST /reports` (bearer token, Idempotency-Key:
 * a repeat gets the same id back) and `GET /reports/:id`. Tests move a report along with setStatus.
 */
export class FakeLapor extends HttpFake {
  /** Reports it stored, once each however often they were posted. */
  readonly stored = new Arrivals<LaporRecord>('report');
  private readonly byKey = new Map<string, LaporRecord>();
  private malformed = 0;

  constructor(options: HttpFakeOptions) {
    super(options);
  }

  /** The base URL the gateway is configured with. */
  get url(): string {
    return this.origin;
  }

  get reports(): LaporRecord[] {
    return this.stored.items;
  }

  /** POSTs that reached it, answered or failed: a retry shows here as a second one. */
  get posts(): number {
    return this.requests.filter((r) => r.method === 'POST').length;
  }

  /** The next `n` authorized requests get a 2xx answer of the wrong shape. */
  malformNext(n: number): void {
    this.malformed += n;
  }

  setStatus(laporId: string, status: string, keterangan?: string, tanggapan?: string): void {
    const report = this.reports.find((r) => r.laporId === laporId);
    if (!report) throw new Error(`FakeLapor has no report ${laporId}`);
    Object.assign(report, { status, keterangan, tanggapan, updatedAt: new Date().toISOString() });
  }

  waitFor(predicate: (r: LaporRecord) => boolean, timeoutMs?: number): Promise<LaporRecord> {
    return this.stored.waitFor(predicate, timeoutMs);
  }

  waitForCount(n: number, timeoutMs?: number): Promise<LaporRecord[]> {
    return this.stored.waitForCount(n, timeoutMs);
  }

  protected handle(req: IncomingMessage, body: string): FakeReply {
    if (this.malformed > 0) {
      this.malformed--;
      return req.method === 'POST' ? { status: 201, json: { diterima: true } } : { status: 200, json: { id: 42, status: null } };
    }
    if (req.method === 'POST' && req.url === '/reports') return this.create(req, body);
    const id = /^\/reports\/([^/?]+)$/.exec(req.url ?? '')?.[1];
    if (req.method === 'GET' && id) {
      const report = this.reports.find((r) => r.laporId === decodeURIComponent(id));
      if (!report) return { status: 404, json: { error: 'laporan_tidak_ditemukan' } };
      const { laporId, status, keterangan, tanggapan, updatedAt } = report;
      return { status: 200, json: { id: laporId, status, keterangan: keterangan ?? null, tanggapan: tanggapan ?? null, updatedAt } };
    }
    return { status: 404, json: { error: 'not_found' } };
  }

  private create(req: IncomingMessage, raw: string): FakeReply {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { status: 400, json: { error: 'json_tidak_valid' } };
    }
    const missing = ['referensi', 'judul', 'isi', 'kategori'].filter((field) => typeof body?.[field] !== 'string' || body[field] === '');
    if (missing.length) return { status: 422, json: { error: 'data_tidak_lengkap', fields: missing } };
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const known = key ? this.byKey.get(key) : undefined;
    if (known) return { status: 200, json: { id: known.laporId } };
    const report: LaporRecord = { laporId: `LPR-${String(this.reports.length + 1).padStart(6, '0')}`, body, idempotencyKey: key, status: 'menunggu_verifikasi', updatedAt: new Date().toISOString() };
    if (key) this.byKey.set(key, report);
    this.stored.push(report);
    return { status: 201, json: { id: report.laporId } };
  }
}
