import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, Get, HttpException, Inject, Logger, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AgencyResponse, ComplaintCategoryResponse, errorSpec, ListPublicComplaintsRequest, PublicComplaintResponse, SUBJECTS } from '@smart-regency/contracts';
import { CallContext, DomainError, RpcClient, SharedAnswers } from '@smart-regency/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { Format, Open311Error, render, splitFormat } from './open311';

/** Errors on this face are GeoReport's `[{ code, description }]`, in the requested format. */
@Catch()
class Open311Filter implements ExceptionFilter {
  private readonly logger = new Logger('Open311Filter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const format: Format = /\.xml(\?|$)/.test(request.url) ? 'xml' : 'json';
    let status = 500;
    let description = 'internal error';
    if (exception instanceof Open311Error) ({ status, description } = exception);
    else if (exception instanceof DomainError) {
      // GeoReport answers a bad api_key with 403; every other code keeps the status of the one error table.
      status = exception.code === 'IDENTITY.INVALID_CLIENT' ? 403 : errorSpec(exception.code).status;
      // A 5xx message names our inside (a NATS subject): the caller gets the title, as on /api/v1.
      description = status >= 500 ? errorSpec(exception.code).title.en : exception.details?.length ? exception.details.map((d) => `${d.field}: ${d.message}`).join('; ') : exception.message;
      if (status === 429 || status === 503) void reply.header('Retry-After', String(exception.retryAfter ?? (status === 503 ? 5 : 60)));
    } else if (exception instanceof HttpException && exception.getStatus() < 500) {
      status = exception.getStatus();
      description = exception.message;
    }
    if (status === 500) this.logger.error({ err: exception, requestId: request.id }, 'unhandled error (Open311)');
    const { type, text } = render(format, 'errors', 'error', [{ code: status, description }]);
    void reply.status(status).header('Content-Type', type).send(text);
  }
}

/** The gateway's PUBLIC_BASE_URL: links are ours to write, never built from a request's Host. */
export const PUBLIC_BASE_URL = Symbol('PUBLIC_BASE_URL');
/** How long identical Open311 request lists share one answer (GatewayConfig.OPEN311_LIST_SHARE_MS). */
export const OPEN311_LIST_SHARE_MS = Symbol('OPEN311_LIST_SHARE_MS');
const CHANGESET = '2026-11-28T00:00:00Z';
/** GeoReport's default window for GET requests without dates: the most recent 90 days. */
const DEFAULT_WINDOW_MS = 90 * 86_400_000;
/** GeoReport caps descriptions at 4,000 characters; longer ones are refused, not cut. */
const MAX_DESCRIPTION = 4000;

interface RequestForm {
  api_key?: string;
  service_code?: string;
  lat?: string;
  long?: string;
  address_string?: string;
  address_id?: string;
  description?: string;
  [other: string]: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : value === undefined || value === null ? '' : String(value));
const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));

/** Every item of a paged list (catalogues: agencies and categories, a few hundred at most). */
async function everyPage<T>(fetch: (page: number) => Promise<{ items: T[]; pageSize: number }>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= 100; page++) {
    const { items, pageSize } = await fetch(page);
    all.push(...items);
    if (items.length < pageSize) break;
  }
  return all;
}

/**
 * Open311 GeoReport v2 over the complaints: services are the categories, requests the public and
 * anonymous complaints (never a reporter), `service_request_id` their tracking number.
 */
@ApiExcludeController()
@Public()
@UseFilters(Open311Filter)
@Controller('open311/v2')
export class Open311Controller {
  private agencyNames?: { at: number; names: Map<string, string> };
  private categoryNames?: { at: number; names: Map<string, string> };
  /** Rendered request lists by format and query: public data, the same for every caller. */
  private readonly lists: SharedAnswers;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(PUBLIC_BASE_URL) private readonly baseUrl: string,
    @Inject(OPEN311_LIST_SHARE_MS) private readonly listShareMs: number,
  ) {
    this.lists = new SharedAnswers(listShareMs);
  }

  private send(reply: FastifyReply, format: Format, root: string, item: string, body: unknown, status = 200) {
    const { type, text } = render(format, root, item, body);
    void reply.status(status).header('Content-Type', type).send(text);
  }

  private async agencies(call: CallContext): Promise<Map<string, string>> {
    if (this.agencyNames && Date.now() - this.agencyNames.at < 300_000) return this.agencyNames.names;
    const items = await everyPage((page) => this.rpc.send(SUBJECTS.identity.listAgencies, { page, pageSize: 100 }, call));
    const names = new Map(items.map((a: AgencyResponse) => [a.id, a.name]));
    this.agencyNames = { at: Date.now(), names };
    return names;
  }

  private async categories(call: CallContext): Promise<Map<string, string>> {
    if (this.categoryNames && Date.now() - this.categoryNames.at < 300_000) return this.categoryNames.names;
    const items = await everyPage((page) => this.rpc.send(SUBJECTS.complaints.listCategories, { page, pageSize: 100 }, call));
    const names = new Map(items.map((c: ComplaintCategoryResponse) => [c.code, c.name]));
    this.categoryNames = { at: Date.now(), names };
    return names;
  }

  private service(c: ComplaintCategoryResponse) {
    return { service_code: c.code, service_name: c.name, description: c.description, metadata: false, type: 'realtime', keywords: '', group: 'pengaduan' };
  }

  /** The first photo of a public complaint (anonymous and confidential ones never show files). */
  private mediaUrl(c: PublicComplaintResponse, base: string): string {
    const photo = c.attachments?.find((a) => a.contentType.startsWith('image/'));
    return photo ? `${base}/api/v1/public/complaints/${encodeURIComponent(c.trackingNumber)}/attachments/${photo.id}` : '';
  }

  private async requests(items: PublicComplaintResponse[], call: CallContext, base: string) {
    const [agencies, categories] = await Promise.all([this.agencies(call), this.categories(call)]);
    return items.map((c) => ({
      service_request_id: c.trackingNumber,
      status: ['closed', 'rejected'].includes(c.status) ? 'closed' : 'open',
      status_notes: c.answer ?? '',
      service_name: categories.get(c.categoryCode) ?? c.categoryCode,
      service_code: c.categoryCode,
      description: c.description,
      agency_responsible: c.agencyId ? (agencies.get(c.agencyId) ?? '') : '',
      service_notice: '',
      requested_datetime: c.createdAt,
      updated_datetime: c.updatedAt,
      expected_datetime: c.dueAt ?? '',
      address: c.address ?? '',
      address_id: '',
      zipcode: '',
      lat: c.lat ?? '',
      long: c.lng ?? '',
      media_url: this.mediaUrl(c, base),
    }));
  }

  /** GET requests: `service_request_id` overrides every other filter; without dates, the last 90 days. */
  private requestsQuery(query: Record<string, unknown>): ListPublicComplaintsRequest {
    const ids = text(query.service_request_id).trim();
    if (ids) return { pageSize: 100, trackingNumbers: ids };
    const start = text(query.start_date).trim();
    const end = text(query.end_date).trim();
    if (start && !isDate(start)) throw new Open311Error(400, 'start_date must be a w3c date-time, e.g. 2026-11-01T00:00:00Z');
    if (end && !isDate(end)) throw new Open311Error(400, 'end_date must be a w3c date-time, e.g. 2026-11-30T00:00:00Z');
    if (start && end && Date.parse(end) < Date.parse(start)) throw new Open311Error(400, 'end_date is before start_date');
    const statuses = text(query.status).split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = statuses.filter((s) => s !== 'open' && s !== 'closed');
    if (unknown.length) throw new Open311Error(400, `status is open or closed, not ${unknown.join(', ')}`);
    const codes = text(query.service_code).trim();
    const from = start ? new Date(start) : end ? new Date(Date.parse(end) - DEFAULT_WINDOW_MS) : new Date(Date.now() - DEFAULT_WINDOW_MS);
    return {
      pageSize: 100,
      from: from.toISOString(),
      ...(end ? { to: new Date(end).toISOString() } : {}),
      ...(codes ? { categoryCodes: codes } : {}),
      ...(statuses.length === 1 ? { state: statuses[0] as 'open' | 'closed' } : {}),
    };
  }

  @Get(':file')
  async resource(@Param('file') file: string, @Query() query: Record<string, unknown>, @Call() call: CallContext, @Res() reply: FastifyReply) {
    const [name, format] = splitFormat(file);
    if (name === 'discovery') {
      const endpoint = { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${this.baseUrl}/open311/v2`, changeset: CHANGESET, type: 'production' };
      const formats = ['application/json', 'text/xml'];
      const head = { changeset: CHANGESET, contact: 'Diskominfo Kabupaten Labuhanbatu Utara', key_service: 'Minta api_key kepada admin (service account dengan cakupan open311:write)' };
      // JSON lists are arrays; XML wraps each item in its own element.
      if (format === 'json') return this.send(reply, format, 'discovery', 'endpoint', { ...head, endpoints: [{ ...endpoint, formats }] });
      return this.send(reply, format, 'discovery', 'endpoint', { ...head, endpoints: { endpoint: [{ ...endpoint, formats: { format: formats } }] } });
    }
    if (name === 'services') {
      const items = await everyPage((page) => this.rpc.send(SUBJECTS.complaints.listCategories, { page, pageSize: 100, active: true }, call));
      return this.send(reply, format, 'services', 'service', items.map((c) => this.service(c)));
    }
    if (name === 'requests') {
      // The query is checked (400) before any shared answer is looked at; the key is the query as
      // asked, so a default window ("the last 90 days") moves on once the answer has aged out.
      const listQuery = this.requestsQuery(query);
      const key = JSON.stringify([format, Object.entries(query).sort(([a], [b]) => a.localeCompare(b))]);
      const answer = await this.lists.get(key, '', async () => {
        const page = await this.rpc.send(SUBJECTS.complaints.listPublic, listQuery, call);
        return { at: Date.now(), ...render(format, 'service_requests', 'request', await this.requests(page.items, call, this.baseUrl)) };
      });
      const age = Math.floor((Date.now() - answer.at) / 1000);
      void reply
        .status(200)
        .header('Content-Type', answer.type)
        .header('Cache-Control', `public, max-age=${Math.floor(this.listShareMs / 1000)}`)
        .header('Age', String(age))
        .send(answer.text);
      return;
    }
    throw new Open311Error(404, `no resource ${name}`);
  }

  @Get(':kind/:file')
  async one(@Param('kind') kind: string, @Param('file') file: string, @Call() call: CallContext, @Res() reply: FastifyReply) {
    const [id, format] = splitFormat(file);
    if (kind === 'services') {
      const items = await everyPage((page) => this.rpc.send(SUBJECTS.complaints.listCategories, { page, pageSize: 100 }, call));
      if (!items.some((c) => c.code === id)) throw new Open311Error(404, `no service ${id}`);
      if (format === 'json') return this.send(reply, format, 'service_definition', 'attribute', { service_code: id, attributes: [] });
      return this.send(reply, format, 'service_definition', 'attribute', { service_code: id, attributes: '' });
    }
    if (kind === 'requests' || kind === 'tokens') {
      // Requests are created at once, so a token is the request's own id.
      const c = await this.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: id.slice(0, 40) }, call);
      if (kind === 'tokens') return this.send(reply, format, 'service_requests', 'request', [{ service_request_id: c.trackingNumber, token: c.trackingNumber }]);
      return this.send(reply, format, 'service_requests', 'request', await this.requests([c], call, this.baseUrl));
    }
    throw new Open311Error(404, `no resource ${kind}`);
  }

  @Post(':file')
  async create(@Param('file') file: string, @Body() body: RequestForm | undefined, @Query() query: Record<string, unknown>, @Call() call: CallContext, @Res() reply: FastifyReply) {
    const [name, format] = splitFormat(file);
    if (name !== 'requests') throw new Open311Error(404, `cannot create ${name}`);
    const form: RequestForm = body && typeof body === 'object' ? body : {};
    const apiKey = text(form.api_key ?? query.api_key);
    if (apiKey.length < 10) throw new Open311Error(403, 'api_key is missing or invalid');
    const owner = await this.rpc.send(SUBJECTS.identity.authenticateApiKey, { apiKey }, call);
    const serviceCode = text(form.service_code).trim();
    const latText = text(form.lat).trim();
    const longText = text(form.long).trim();
    const address = text(form.address_string).trim();
    const description = text(form.description).trim();
    const lat = Number(latText);
    const lng = Number(longText);
    const hasPoint = latText !== '' || longText !== '';
    const problems = [
      !serviceCode && 'service_code is required',
      !hasPoint && !address && (text(form.address_id) ? 'address_id is not supported here: send lat and long, or address_string' : 'a location is required: lat and long, or address_string'),
      hasPoint && (!latText || !longText || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) && 'lat and long must both be given, as decimal degrees',
      address && (address.length < 5 || address.length > 300) && 'address_string must be 5 to 300 characters',
      description.length < 10 && 'description must be at least 10 characters',
      description.length > MAX_DESCRIPTION && `description must be at most ${MAX_DESCRIPTION} characters`,
    ].filter(Boolean);
    if (problems.length) throw new Open311Error(400, problems.join('; '));
    const created = await this.rpc.send(
      SUBJECTS.complaints.file,
      {
        categoryCode: serviceCode.slice(0, 40),
        title: description.length <= 80 ? description : `${description.slice(0, 77)}...`,
        description,
        location: { ...(hasPoint ? { lat, lng } : {}), ...(address ? { address } : {}) },
        visibility: 'public',
      },
      { ...call, actor: { id: owner.id, roles: ['integrator'], scopes: owner.scopes } },
    );
    return this.send(reply, format, 'service_requests', 'request', [{ service_request_id: created.trackingNumber, service_notice: '', account_id: '' }], 201);
  }
}
