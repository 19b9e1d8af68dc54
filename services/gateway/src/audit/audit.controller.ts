import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AUDIT_SUBJECTS,
  AUDITED_SERVICES,
  AuditedService,
  AuditEntryResponse,
  AuditHead,
  AuditHeadsResponse,
  AuditPage,
  AuditVerificationResponse,
  ListAuditRequest,
  Page,
  parseAnchor,
  VerifyAgainstHeadsRequest,
  VerifyAuditRequest,
} from '@smart-regency/contracts';
import { CallContext, DomainError, RpcClient } from '@smart-regency/platform';
import { Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

/** Merging several trails needs each one's first page × pageSize rows; beyond this, filter. */
const MAX_MERGED_ROWS = 10_000;
/** Walking a chain of millions of rows takes a while; the normal RPC timeout is for interactive calls. */
const VERIFY_TIMEOUT_MS = 120_000;

const newestFirst = (a: AuditEntryResponse, b: AuditEntryResponse) =>
  b.at.localeCompare(a.at) || a.service.localeCompare(b.service) || b.seq - a.seq;

@ApiTags('audit')
@ApiBearerAuth()
@Roles('admin', 'auditor')
@Controller('audit')
export class AuditController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Audit rows of every service (or one), newest first, filtered by record, data subject, actor and time (admin, auditor)' })
  @ApiOkResponse({ type: AuditPage })
  @ApiProblems(400, 401, 403, 503)
  async list(@Query() query: ListAuditRequest, @Call() call: CallContext): Promise<Page<AuditEntryResponse>> {
    const { service, page = 1, pageSize = 20, ...filters } = query;
    if (service) return this.rpc.send(AUDIT_SUBJECTS[service].list, { ...filters, page, pageSize }, call);
    const limit = page * pageSize;
    if (limit > MAX_MERGED_ROWS) {
      throw new DomainError('AUDIT.PAGE_TOO_DEEP', `across services only the newest ${MAX_MERGED_ROWS} rows are paged; add service, from or to`, [
        { field: 'page', message: `page × pageSize is at most ${MAX_MERGED_ROWS} without service`, rule: 'max' },
      ]);
    }
    const pages = await Promise.all(AUDITED_SERVICES.map((s) => this.rpc.send(AUDIT_SUBJECTS[s].list, { ...filters, limit }, call)));
    const items = pages.flatMap((p) => p.items).sort(newestFirst);
    return { items: items.slice(limit - pageSize, limit), page, pageSize, total: pages.reduce((n, p) => n + p.total, 0) };
  }

  @Get('head')
  @ApiOperation({ summary: 'The last row (seq and hash) of every chain: keep it outside the system to detect a later rewrite (admin, auditor)' })
  @ApiOkResponse({ type: AuditHeadsResponse })
  @ApiProblems(401, 403, 503)
  async head(@Call() call: CallContext): Promise<AuditHeadsResponse> {
    const heads = await Promise.all(AUDITED_SERVICES.map((s) => this.rpc.send(AUDIT_SUBJECTS[s].head, {}, call)));
    return { exportedAt: new Date().toISOString(), heads };
  }

  @Get('verify')
  @ApiOperation({
    summary: 'Walks every chain (or one): intact, or the first broken row and why; `anchor=<service>:<seq>:<hash>` also checks an exported head (admin, auditor)',
  })
  @ApiOkResponse({ type: AuditVerificationResponse })
  @ApiProblems(400, 401, 403, 503)
  verify(@Query() query: VerifyAuditRequest, @Call() call: CallContext): Promise<AuditVerificationResponse> {
    return this.verifyAll(query.service, (query.anchor ?? []).map((a) => parseAnchor(a)!), call);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verifies every chain against the document GET /audit/head exported earlier (admin, auditor)' })
  @ApiOkResponse({ type: AuditVerificationResponse })
  @ApiProblems(400, 401, 403, 503)
  verifyAgainst(@Body() body: VerifyAgainstHeadsRequest, @Call() call: CallContext): Promise<AuditVerificationResponse> {
    return this.verifyAll(undefined, body.heads, call);
  }

  private async verifyAll(service: AuditedService | undefined, anchors: AuditHead[], call: CallContext): Promise<AuditVerificationResponse> {
    const byService = new Map<AuditedService, AuditHead>();
    anchors.forEach((anchor, i) => {
      const problem = byService.has(anchor.service) ? 'one head per service' : service && anchor.service !== service ? `not a head of ${service}` : undefined;
      if (problem) throw new DomainError('AUDIT.INVALID_ANCHOR', problem, [{ field: `anchor[${i}]`, message: problem, rule: 'anchor' }]);
      byService.set(anchor.service, anchor);
    });
    const services = service ? [service] : [...AUDITED_SERVICES];
    const results = await Promise.all(
      services.map((s) => {
        const anchor = byService.get(s);
        return this.rpc.send(AUDIT_SUBJECTS[s].verify, anchor ? { anchor: { service: s, seq: anchor.seq, hash: anchor.hash } } : {}, call, VERIFY_TIMEOUT_MS);
      }),
    );
    return { intact: results.every((r) => r.intact), verifiedAt: new Date().toISOString(), services: results };
  }
}
