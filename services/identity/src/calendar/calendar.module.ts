import { Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { OutboxWake } from '../outbox-wake';

@Module({
  controllers: [CalendarController],
  providers: [CalendarService, OutboxWake],
})
export class CalendarModule {}
