import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CalendarResponse, PutCalendarRequest, SUBJECTS } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Public, Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

@ApiTags('identity')
@Controller('calendar')
export class CalendarController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get(':year')
  @ApiOperation({ summary: "A year's non-working days (national holidays and cuti bersama); every working-day deadline skips them" })
  @ApiOkResponse({ type: CalendarResponse })
  @ApiProblems(400, 503)
  get(@Param('year', ParseIntPipe) year: number, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.getCalendar, { year }, call);
  }

  @Put(':year')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Replace a year's non-working days (admin)" })
  @ApiOkResponse({ type: CalendarResponse })
  @ApiProblems(400, 401, 403, 503)
  put(@Param('year', ParseIntPipe) year: number, @Body() body: PutCalendarRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.putCalendar, { ...body, year }, call);
  }
}
