import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, CreateComplaintCategoryRequest, ListComplaintCategoriesRequest, SUBJECTS, UpdateComplaintCategoryCommand } from '@smart-regency/contracts';
import { CurrentActor, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { CategoriesService } from './categories.service';

@Controller()
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @MessagePattern(SUBJECTS.complaints.listCategories)
  @RpcPublic()
  list(@Payload() query: ListComplaintCategoriesRequest) {
    return this.categories.list(query);
  }

  @MessagePattern(SUBJECTS.complaints.createCategory)
  @RpcRoles('admin')
  create(@CurrentActor() actor: Actor, @Payload() request: CreateComplaintCategoryRequest) {
    return this.categories.create(actor, request);
  }

  @MessagePattern(SUBJECTS.complaints.updateCategory)
  @RpcRoles('admin')
  update(@CurrentActor() actor: Actor, @Payload() command: UpdateComplaintCategoryCommand) {
    return this.categories.update(actor, command);
  }
}
