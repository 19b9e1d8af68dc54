import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicSummaryResponse, SUBJECTS } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';
import { Public } from '../auth/auth.guard';

@ApiTags('reporting')
@Controller('public/reports')
export class PublicReportsController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get('summary')
  @ApiOperation({ summary: 'Open-data figures of complaints and permits (no personal data)' })
  @ApiOkResponse({ type: PublicSummaryResponse })
  @ApiProblems(503)
  summary(@Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.reporting.publicSummary, {}, call);
  }
}
