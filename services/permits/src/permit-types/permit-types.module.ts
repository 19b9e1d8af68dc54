import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermitType } from './permit-type.entity';
import { PermitTypesController } from './permit-types.controller';
import { PermitTypesService } from './permit-types.service';
import { PermitTypeCatalogue } from './permit-type-catalogue';

@Module({
  imports: [TypeOrmModule.forFeature([PermitType])],
  controllers: [PermitTypesController],
  providers: [PermitTypesService, PermitTypeCatalogue],
  exports: [PermitTypeCatalogue],
})
export class PermitTypesModule {}
