import { CalendarReadModel } from '@smart-regency/platform';
import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { LaporModule } from '../lapor/lapor.module';
import { ComplaintJobs } from './complaint-jobs';
import { ComplaintsController } from './complaints.controller';
import { ComplaintsRepository } from './complaints.repository';
import { ComplaintsService } from './complaints.service';

@Module({
  imports: [CategoriesModule, LaporModule],
  controllers: [ComplaintsController],
  providers: [CalendarReadModel.for('complaints'), ComplaintsService, ComplaintsRepository, ComplaintJobs],
})
export class ComplaintsModule {}
