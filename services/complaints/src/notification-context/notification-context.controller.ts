import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NotificationContextRequest, SUBJECTS } from '@smart-regency/contracts';
import { RpcInternal } from '@smart-regency/platform';
import { NotificationContextService } from './notification-context.service';

@Controller()
export class NotificationContextController {
  constructor(private readonly contexts: NotificationContextService) {}

  /** Internal: the notifications service (NATS permissions say only it may ask). */
  @MessagePattern(SUBJECTS.complaints.notificationContext)
  @RpcInternal()
  context(@Payload() request: NotificationContextRequest) {
    return this.contexts.context(request);
  }
}
