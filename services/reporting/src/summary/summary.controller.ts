import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { SUBJECTS } from '@smart-regency/contracts';
import { SummaryService } from './summary.service';

@Controller()
export class SummaryController {
  constructor(private readonly summary: SummaryService) {}

  @MessagePattern(SUBJECTS.reporting.publicSummary)
  publicSummary() {
    return this.summary.publicSummary();
  }
}
