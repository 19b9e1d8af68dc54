import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NotificationContextsRequest, SUBJECTS } from '@smart-regency/contracts';
import { RpcInternal } from '@smart-regency/platform';
import { NotificationContextService } from './notification-context.service';

@Controller()
export class NotificationContextController {
  constructor(private readonly service: NotificationContextService) {}

  /** Internal: the notifications service, a batch of events at a time (NATS permissions say only it may ask). */
  @MessagePattern(SUBJECTS.complaints.notificationContext)
  @RpcInternal()
  contexts(@Payload() request: NotificationContextsRequest) {
    return this.service.contexts(request.requests);
  }
}
