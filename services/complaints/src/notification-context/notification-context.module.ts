import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { NotificationContextController } from './notification-context.controller';
import { NotificationContextService } from './notification-context.service';

@Module({
  imports: [CategoriesModule],
  controllers: [NotificationContextController],
  providers: [NotificationContextService],
})
export class NotificationContextModule {}
