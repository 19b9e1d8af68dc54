import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters, Catch, ExceptionFilter, ArgumentsHost } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AgencyResponse, ComplaintCategoryResponse, PublicComplaintResponse, SUBJECTS } from '@smart-regency/contracts';
import { CallContext, DomainError, RpcClient } from '@smart-regency/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { Format, Open311Error, render, splitFormat } from './open311';

/** Errors on this face are GeoReport's `[{ code, description }]`, in the requested format. */
@Catch()
class Open311Filter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const format: Format = /\.xml(\?|$)/.test(request.url) ? 'xml' : 'json';
    let status = 500;
    let description = 'internal error';
    if (exception instanceof Open311Error) ({ status, description } = exception);
    else if (exception instanceof DomainError) {
      const byCode: Record<string, number> = { 'IDENTITY.INVALID_CLIENT': 403, 'COMMON.VALIDATION': 400, 'COMPLAINTS.CATEGORY_NOT_FOUND': 404, 'COMPLAINTS.COMPLAINT_NOT_FOUND': 404, 'COMMON.SERVICE_UNAVAILABLE': 503, 'COMMON.TIMEOUT': 503 };
      status = byCode[exception.code] ?? (exception.code.endsWith('NOT_FOUND') ? 404 : 500);
      description = exception.details?.length ? exception.details.map((d) => `${d.field}: ${d.message}`).join('; ') : exception.message;
    }
    const { type, text } = render(format, 'errors', 'error', [{ code: status, description }]);
    void reply.status(status).header('Content-Type', type).send(text);
  }
}

const origin = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? req.hostname}`;

interface RequestForm {
  api_key?: string;
  service_code?: string;
  lat?: string;
  long?: string;
  address_string?: string;
  description?: string;
  [other: string]: unknown;
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

  constructor(private readonly rpc: RpcClient) {}

  private send(reply: FastifyReply, format: Format, root: string, item: string, body: unknown, status = 200) {
    const { type, text } = render(format, root, item, body);
    void reply.status(status).header('Content-Type', type).send(text);
  }

  private async agencies(call: CallContext): Promise<Map<string, string>> {
    if (this.agencyNames && Date.now() - this.agencyNames.at < 300_000) return this.agencyNames.names;
    const page = await this.rpc.send(SUBJECTS.identity.listAgencies, { pageSize: 100 }, { ...call, actor: { id: 'open311', roles: ['auditor'] } });
    const names = new Map(page.items.map((a: AgencyResponse) => [a.id, a.name]));
    this.agencyNames = { at: Date.now(), names };
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

  private async request(c: PublicComplaintResponse, names: Map<string, string>, base: string) {
    return {
      service_request_id: c.trackingNumber,
      status: ['closed', 'rejected'].includes(c.status) ? 'closed' : 'open',
      status_notes: c.answer ?? '',
      service_name: c.categoryCode,
      service_code: c.categoryCode,
      description: c.description,
      agency_responsible: c.agencyId ? names.get(c.agencyId) ?? '' : '',
      service_notice: '',
      requested_datetime: c.createdAt,
      updated_datetime: c.updatedAt,
      expected_datetime: c.dueAt ?? '',
      address: c.address ?? '',
      address_id: '',
      zipcode: '',
      lat: c.lat,
      long: c.lng,
      media_url: this.mediaUrl(c, base),
    };
  }

  @Get(':file')
  async resource(@Param('file') file: string, @Query() query: Record<string, string>, @Call() call: CallContext, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const [name, format] = splitFormat(file);
    if (name === 'discovery') {
      const base = `${origin(req)}/open311/v2`;
      return this.send(reply, format, 'discovery', 'endpoint', {
        changeset: '2026-11-28T00:00:00Z',
        contact: 'Diskominfo Kabupaten Labuhanbatu Utara',
        key_service: 'Minta api_key kepada admin (service account dengan cakupan open311:write)',
        endpoints: { endpoint: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: base, changeset: '2026-11-28T00:00:00Z', type: 'production', formats: { format: ['application/json', 'text/xml'] } }] },
      });
    }
    if (name === 'services') {
      const page = await this.rpc.send(SUBJECTS.complaints.listCategories, { pageSize: 100, active: true }, call);
      return this.send(reply, format, 'services', 'service', page.items.map((c) => this.service(c)));
    }
    if (name === 'requests') {
      const ids = query.service_request_id;
      const page = await this.rpc.send(
        SUBJECTS.complaints.listPublic,
        {
          pageSize: 100,
          ...(ids ? { trackingNumbers: String(ids) } : {}),
          ...(query.service_code ? { categoryCode: String(query.service_code) } : {}),
          ...(query.status === 'open' || query.status === 'closed' ? { state: query.status } : {}),
          ...(query.start_date ? { from: String(query.start_date) } : {}),
          ...(query.end_date ? { to: String(query.end_date) } : {}),
        },
        call,
      );
      const names = await this.agencies(call);
      return this.send(reply, format, 'service_requests', 'request', await Promise.all(page.items.map((c) => this.request(c, names, origin(req)))));
    }
    throw new Open311Error(404, `no resource ${name}`);
  }

  @Get(':kind/:file')
  async one(@Param('kind') kind: string, @Param('file') file: string, @Call() call: CallContext, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const [id, format] = splitFormat(file);
    if (kind === 'services') {
      const page = await this.rpc.send(SUBJECTS.complaints.listCategories, { pageSize: 100 }, call);
      if (!page.items.some((c) => c.code === id)) throw new Open311Error(404, `no service ${id}`);
      return this.send(reply, format, 'service_definition', 'attribute', { service_code: id, attributes: [] });
    }
    if (kind === 'requests' || kind === 'tokens') {
      // Requests are created at once, so a token is the request's own id.
      const c = await this.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: id.slice(0, 40) }, call);
      if (kind === 'tokens') return this.send(reply, format, 'service_requests', 'request', [{ service_request_id: c.trackingNumber, token: c.trackingNumber }]);
      return this.send(reply, format, 'service_requests', 'request', [await this.request(c, await this.agencies(call), origin(req))]);
    }
    throw new Open311Error(404, `no resource ${kind}`);
  }

  @Post(':file')
  async create(@Param('file') file: string, @Body() form: RequestForm, @Query('api_key') queryKey: string | undefined, @Call() call: CallContext, @Res() reply: FastifyReply) {
    const [name, format] = splitFormat(file);
    if (name !== 'requests') throw new Open311Error(404, `cannot create ${name}`);
    const apiKey = String(form?.api_key ?? queryKey ?? '');
    if (apiKey.length < 10) throw new Open311Error(403, 'api_key is missing or invalid');
    const owner = await this.rpc.send(SUBJECTS.identity.authenticateApiKey, { apiKey }, call);
    const lat = Number(form.lat);
    const lng = Number(form.long);
    const description = String(form.description ?? '').trim();
    const problems = [
      !form.service_code && 'service_code is required',
      (form.lat === undefined || form.long === undefined || !Number.isFinite(lat) || !Number.isFinite(lng)) && 'lat and long are required (address_id is not supported)',
      description.length < 10 && 'description must be at least 10 characters',
    ].filter(Boolean);
    if (problems.length) throw new Open311Error(400, problems.join('; '));
    const created = await this.rpc.send(
      SUBJECTS.complaints.file,
      {
        categoryCode: String(form.service_code),
        title: description.slice(0, 80),
        description: description.slice(0, 5000),
        location: { lat, lng, ...(form.address_string ? { address: String(form.address_string).slice(0, 300) } : {}) },
        visibility: 'public',
      },
      { ...call, actor: { id: owner.id, roles: ['integrator'], scopes: owner.scopes } },
    );
    return this.send(reply, format, 'service_requests', 'request', [{ service_request_id: created.trackingNumber, service_notice: '', account_id: '' }], 201);
  }
}
