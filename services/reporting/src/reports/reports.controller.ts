import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, ReportQuery, SUBJECTS, TimeseriesQuery } from '@smart-regency/contracts';
import { CurrentActor } from '@smart-regency/platform';
import { ReportsService } from './reports.service';

@Controller()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @MessagePattern(SUBJECTS.reporting.publicSummary)
  publicSummary() {
    return this.reports.publicSummary();
  }

  @MessagePattern(SUBJECTS.reporting.summary)
  summary(@CurrentActor() actor: Actor, @Payload() query: ReportQuery) {
    return this.reports.summary(actor, query);
  }

  @MessagePattern(SUBJECTS.reporting.agencies)
  agencies(@CurrentActor() actor: Actor, @Payload() query: ReportQuery) {
    return this.reports.agencies(actor, query);
  }

  @MessagePattern(SUBJECTS.reporting.timeseries)
  timeseries(@CurrentActor() actor: Actor, @Payload() query: TimeseriesQuery) {
    return this.reports.timeseries(actor, query);
  }
}
