import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CategoriesController } from './categories.controller';
import { CategoriesService } from './categories.service';
import { CategoryCatalogue } from './category-catalogue';
import { ComplaintCategory } from './complaint-category.entity';

@Module({
  imports: [TypeOrmModule.forFeature([ComplaintCategory])],
  controllers: [CategoriesController],
  providers: [CategoriesService, CategoryCatalogue],
  exports: [CategoryCatalogue],
})
export class CategoriesModule {}
