import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListComplaintCategoriesRequest, SUBJECTS } from '@smart-regency/contracts';
import { CategoriesService } from './categories.service';

@Controller()
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @MessagePattern(SUBJECTS.complaints.listCategories)
  list(@Payload() query: ListComplaintCategoriesRequest) {
    return this.categories.list(query);
  }
}
