import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, ListMessagesRequest, ListMyNotificationsRequest, NotificationIdRequest, NotificationPreferences, PutTemplateCommand, SUBJECTS } from '@smart-regency/contracts';
import { CurrentActor, PEOPLE, RpcRoles } from '@smart-regency/platform';
import { MessagesService } from './messages.service';

@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @MessagePattern(SUBJECTS.notifications.listMine)
  @RpcRoles(...PEOPLE)
  inbox(@CurrentActor() actor: Actor, @Payload() query: ListMyNotificationsRequest) {
    return this.messages.inbox(actor, query);
  }

  @MessagePattern(SUBJECTS.notifications.unreadCount)
  @RpcRoles(...PEOPLE)
  unreadCount(@CurrentActor() actor: Actor) {
    return this.messages.unreadCount(actor);
  }

  @MessagePattern(SUBJECTS.notifications.markRead)
  @RpcRoles(...PEOPLE)
  markRead(@CurrentActor() actor: Actor, @Payload() { id }: NotificationIdRequest) {
    return this.messages.markRead(actor, id);
  }

  @MessagePattern(SUBJECTS.notifications.markAllRead)
  @RpcRoles(...PEOPLE)
  markAllRead(@CurrentActor() actor: Actor) {
    return this.messages.markAllRead(actor);
  }

  @MessagePattern(SUBJECTS.notifications.getPreferences)
  @RpcRoles(...PEOPLE)
  preferences(@CurrentActor() actor: Actor) {
    return this.messages.preferences(actor);
  }

  @MessagePattern(SUBJECTS.notifications.putPreferences)
  @RpcRoles(...PEOPLE)
  putPreferences(@CurrentActor() actor: Actor, @Payload() request: NotificationPreferences) {
    return this.messages.putPreferences(actor, request);
  }

  @MessagePattern(SUBJECTS.notifications.listTemplates)
  @RpcRoles('admin')
  templates() {
    return this.messages.templates();
  }

  @MessagePattern(SUBJECTS.notifications.putTemplate)
  @RpcRoles('admin')
  putTemplate(@CurrentActor() actor: Actor, @Payload() command: PutTemplateCommand) {
    return this.messages.putTemplate(actor, command);
  }

  @MessagePattern(SUBJECTS.notifications.listMessages)
  @RpcRoles('officer', 'agency_head', 'admin', 'auditor')
  list(@CurrentActor() actor: Actor, @Payload() query: ListMessagesRequest) {
    return this.messages.messages(actor, query);
  }

  @MessagePattern(SUBJECTS.notifications.exportMyData)
  @RpcRoles('citizen')
  exportMine(@CurrentActor() actor: Actor) {
    return this.messages.exportMine(actor);
  }
}
