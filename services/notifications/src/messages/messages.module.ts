import { Module } from '@nestjs/common';
import { configuredChannels } from '../channels/configured';
import { NotificationsConfig } from '../config';
import { MessageComposer } from './composer';
import { DeadlineWatch } from './deadline-watch';
import { MessageChannels } from './message-channels';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { MessageSender } from './sender';
import { StaffDigest } from './staff-digest';

@Module({
  controllers: [MessagesController],
  providers: [
    { provide: MessageChannels, useFactory: (config: NotificationsConfig) => new MessageChannels(configuredChannels(config)), inject: [NotificationsConfig] },
    MessageSender,
    MessageComposer,
    MessagesService,
    StaffDigest,
    DeadlineWatch,
  ],
  exports: [MessageComposer, MessageSender],
})
export class MessagesModule {}
