import { Module } from '@nestjs/common';
import { PermitTypesModule } from '../permit-types/permit-types.module';
import { NotificationContextController } from './notification-context.controller';
import { NotificationContextService } from './notification-context.service';

@Module({
  imports: [PermitTypesModule],
  controllers: [NotificationContextController],
  providers: [NotificationContextService],
})
export class NotificationContextModule {}
