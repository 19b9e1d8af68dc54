import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermitType } from './permit-type.entity';
import { PermitTypesController } from './permit-types.controller';
import { PermitTypesService } from './permit-types.service';

@Module({
  imports: [TypeOrmModule.forFeature([PermitType])],
  controllers: [PermitTypesController],
  providers: [PermitTypesService],
})
export class PermitTypesModule {}
