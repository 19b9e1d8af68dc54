import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NotificationContextsRequest, SUBJECTS } from '@smart-regency/contracts';
import { RpcInternal } from '@smart-regency/platform';
import { NotificationContextService } from './notification-context.service';

/** Asked by notifications as itself: NATS permissions let no one else publish here. */
@Controller()
export class NotificationContextController {
  constructor(private readonly service: NotificationContextService) {}

  @MessagePattern(SUBJECTS.permits.notificationContext)
  @RpcInternal()
  contexts(@Payload() request: NotificationContextsRequest) {
    return this.service.contexts(request.requests);
  }
}
