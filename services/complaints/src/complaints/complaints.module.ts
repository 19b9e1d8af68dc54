import { Module } from '@nestjs/common';
import { ComplaintJobs } from './complaint-jobs';
import { ComplaintsController } from './complaints.controller';
import { ComplaintsService } from './complaints.service';

@Module({
  controllers: [ComplaintsController],
  providers: [ComplaintsService, ComplaintJobs],
})
export class ComplaintsModule {}
