import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, ReportQuery, SUBJECTS, TimeseriesQuery } from '@smart-regency/contracts';
import { CurrentActor, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { ReportsService } from './reports.service';

@Controller()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @MessagePattern(SUBJECTS.reporting.publicSummary)
  @RpcPublic()
  publicSummary() {
    return this.reports.publicSummary();
  }

  @MessagePattern(SUBJECTS.reporting.summary)
  @RpcRoles('admin', 'auditor', 'agency_head')
  summary(@CurrentActor() actor: Actor, @Payload() query: ReportQuery) {
    return this.reports.summary(actor, query);
  }

  @MessagePattern(SUBJECTS.reporting.agencies)
  @RpcRoles('admin', 'auditor', 'agency_head')
  agencies(@CurrentActor() actor: Actor, @Payload() query: ReportQuery) {
    return this.reports.agencies(actor, query);
  }

  @MessagePattern(SUBJECTS.reporting.timeseries)
  @RpcRoles('admin', 'auditor', 'agency_head')
  timeseries(@CurrentActor() actor: Actor, @Payload() query: TimeseriesQuery) {
    return this.reports.timeseries(actor, query);
  }
}
