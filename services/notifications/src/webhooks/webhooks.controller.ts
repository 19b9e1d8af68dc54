import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Actor,
  CreateWebhookRequest,
  DeliveryIdRequest,
  ListDeliveriesRequest,
  ListWebhooksRequest,
  ReplayCommand,
  ReplayIdRequest,
  SUBJECTS,
  UpdateWebhookCommand,
  WebhookIdRequest,
} from '@smart-regency/contracts';
import { CurrentActor, RpcRoles } from '@smart-regency/platform';
import { WebhooksService } from './webhooks.service';

@Controller()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @MessagePattern(SUBJECTS.notifications.createWebhook)
  @RpcRoles('admin')
  create(@CurrentActor() actor: Actor, @Payload() request: CreateWebhookRequest) {
    return this.webhooks.create(actor, request);
  }

  @MessagePattern(SUBJECTS.notifications.listWebhooks)
  @RpcRoles('admin')
  list(@CurrentActor() actor: Actor, @Payload() query: ListWebhooksRequest) {
    return this.webhooks.list(actor, query);
  }

  @MessagePattern(SUBJECTS.notifications.getWebhook)
  @RpcRoles('admin')
  get(@CurrentActor() actor: Actor, @Payload() { id }: WebhookIdRequest) {
    return this.webhooks.get(actor, id);
  }

  @MessagePattern(SUBJECTS.notifications.updateWebhook)
  @RpcRoles('admin')
  update(@CurrentActor() actor: Actor, @Payload() command: UpdateWebhookCommand) {
    return this.webhooks.update(actor, command);
  }

  @MessagePattern(SUBJECTS.notifications.deleteWebhook)
  @RpcRoles('admin')
  remove(@CurrentActor() actor: Actor, @Payload() { id }: WebhookIdRequest) {
    return this.webhooks.remove(actor, id);
  }

  @MessagePattern(SUBJECTS.notifications.rotateWebhookSecret)
  @RpcRoles('admin')
  rotate(@CurrentActor() actor: Actor, @Payload() { id }: WebhookIdRequest) {
    return this.webhooks.rotateSecret(actor, id);
  }

  @MessagePattern(SUBJECTS.notifications.listDeliveries)
  @RpcRoles('admin')
  deliveries(@CurrentActor() actor: Actor, @Payload() query: ListDeliveriesRequest) {
    return this.webhooks.deliveries(actor, query);
  }

  @MessagePattern(SUBJECTS.notifications.redeliver)
  @RpcRoles('admin')
  redeliver(@CurrentActor() actor: Actor, @Payload() request: DeliveryIdRequest) {
    return this.webhooks.redeliver(actor, request);
  }

  @MessagePattern(SUBJECTS.notifications.startReplay)
  @RpcRoles('admin')
  replay(@CurrentActor() actor: Actor, @Payload() command: ReplayCommand) {
    return this.webhooks.startReplay(actor, command);
  }

  @MessagePattern(SUBJECTS.notifications.getReplay)
  @RpcRoles('admin')
  getReplay(@CurrentActor() actor: Actor, @Payload() request: ReplayIdRequest) {
    return this.webhooks.getReplay(actor, request);
  }
}
