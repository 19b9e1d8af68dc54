import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { LaporController } from './lapor.controller';
import { LaporRepository } from './lapor.repository';
import { LaporService } from './lapor.service';

@Module({
  imports: [CategoriesModule],
  controllers: [LaporController],
  providers: [LaporService, LaporRepository],
  exports: [LaporRepository],
})
export class LaporModule {}
