import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, CalendarYearRequest, PutCalendarCommand, SUBJECTS } from '@smart-regency/contracts';
import { CurrentActor, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { CalendarService } from './calendar.service';

@Controller()
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @MessagePattern(SUBJECTS.identity.getCalendar)
  @RpcPublic()
  get(@Payload() request: CalendarYearRequest) {
    return this.calendar.get(request.year);
  }

  @MessagePattern(SUBJECTS.identity.putCalendar)
  @RpcRoles('admin')
  put(@Payload() command: PutCalendarCommand, @CurrentActor() actor: Actor) {
    return this.calendar.put(command, actor);
  }
}
