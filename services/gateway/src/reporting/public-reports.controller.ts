import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PublicSummaryResponse, SUBJECTS } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';
import { negotiateReport, publicSummaryCsv } from './report-formats';
import { ApiNotAcceptable, sendAs } from './reports.controller';

@ApiTags('reporting')
@Controller('public/reports')
export class PublicReportsController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get('summary')
  @ApiHeader({ name: 'Accept', required: false, description: 'application/json or text/csv; JSON when absent' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'Open-data figures of complaints and permits (no personal data)' })
  @ApiOkResponse({ type: PublicSummaryResponse })
  @ApiProblems(503)
  @ApiNotAcceptable()
  async summary(@Headers('accept') accept: string | undefined, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const format = negotiateReport(accept, ['json', 'csv']);
    const summary = await this.rpc.send(SUBJECTS.reporting.publicSummary, {}, call);
    return format === 'json' ? summary : sendAs(reply, format, 'open-data-summary', publicSummaryCsv(summary));
  }
}
