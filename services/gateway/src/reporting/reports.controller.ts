import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgenciesReportResponse, ReportQuery, ReportSummaryResponse, SUBJECTS, TimeseriesQuery, TimeseriesResponse } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';
import { agenciesCsv, MEDIA_TYPES, negotiateReport, ReportFormat, summaryCsv, timeseriesCsv } from './report-formats';
import { timeseriesSvg } from './svg-chart';

const READERS = ['admin', 'auditor', 'agency_head'] as const;

export const ApiNotAcceptable = () =>
  ApiResponse({ status: 406, description: 'None of the formats in Accept is offered (code REPORTING.NOT_ACCEPTABLE)' });
const AcceptHeader = (formats: string) => ApiHeader({ name: 'Accept', required: false, description: `${formats}; JSON when absent` });

/** Sends a rendered report with its media type; JSON goes back to Nest as usual. */
export function sendAs(reply: FastifyReply, format: ReportFormat, name: string, body: string): string {
  void reply.header('Content-Type', `${MEDIA_TYPES[format]}; charset=utf-8`).header('Vary', 'Accept');
  if (format === 'csv') void reply.header('Content-Disposition', `attachment; filename="${name}.csv"`);
  return body;
}

/**
 * Agency performance (admin, auditor; an agency head sees their own agency), as JSON, CSV
 * (`Accept: text/csv`) and, for the time series, an SVG chart (`Accept: image/svg+xml`).
 */
@ApiTags('reporting')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('summary')
  @Roles(...READERS)
  @AcceptHeader('application/json or text/csv')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Complaints and permits by status, compliance with legal deadlines, median handling time, average rating; says as of which event it is current',
  })
  @ApiOkResponse({ type: ReportSummaryResponse })
  @ApiProblems(400, 401, 403, 503)
  @ApiNotAcceptable()
  async summary(@Query() query: ReportQuery, @Headers('accept') accept: string | undefined, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const format = negotiateReport(accept, ['json', 'csv']);
    const report = await this.rpc.send(SUBJECTS.reporting.summary, query, call);
    return format === 'json' ? report : sendAs(reply, format, 'report-summary', summaryCsv(report));
  }

  @Get('agencies')
  @Roles(...READERS)
  @AcceptHeader('application/json or text/csv')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'The same figures, one row per agency' })
  @ApiOkResponse({ type: AgenciesReportResponse })
  @ApiProblems(400, 401, 403, 503)
  @ApiNotAcceptable()
  async agencies(@Query() query: ReportQuery, @Headers('accept') accept: string | undefined, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const format = negotiateReport(accept, ['json', 'csv']);
    const report = await this.rpc.send(SUBJECTS.reporting.agencies, query, call);
    return format === 'json' ? report : sendAs(reply, format, 'report-agencies', agenciesCsv(report));
  }

  @Get('timeseries')
  @Roles(...READERS)
  @AcceptHeader('application/json, text/csv or image/svg+xml')
  @ApiProduces('application/json', 'text/csv', 'image/svg+xml')
  @ApiOperation({ summary: 'One metric per day, week (from Monday) or month, Asia/Jakarta days; defaults to the last 30 days, 12 weeks or 12 months' })
  @ApiOkResponse({ type: TimeseriesResponse })
  @ApiProblems(400, 401, 403, 503)
  @ApiNotAcceptable()
  async timeseries(@Query() query: TimeseriesQuery, @Headers('accept') accept: string | undefined, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const format = negotiateReport(accept, ['json', 'csv', 'svg']);
    const series = await this.rpc.send(SUBJECTS.reporting.timeseries, query, call);
    if (format === 'json') return series;
    const name = `report-${series.metric}-${series.interval}`;
    return sendAs(reply, format, name, format === 'csv' ? timeseriesCsv(series) : timeseriesSvg(series));
  }
}
