import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, ForwardLaporCommand, LaporReportRequest, RecordLaporForwardCommand, RecordLaporUpdateCommand, SUBJECTS } from '@smart-regency/contracts';
import { CurrentActor, RpcInternal, RpcRoles } from '@smart-regency/platform';
import { LaporService } from './lapor.service';

@Controller()
export class LaporController {
  constructor(private readonly lapor: LaporService) {}

  @MessagePattern(SUBJECTS.complaints.forwardLapor)
  @RpcRoles('agency_head', 'admin')
  forward(@CurrentActor() actor: Actor, @Payload() command: ForwardLaporCommand) {
    return this.lapor.forward(actor, command);
  }

  /** Internal: the notifications service's LAPOR! adapter (NATS permissions say only it may ask). */
  @MessagePattern(SUBJECTS.complaints.laporReport)
  @RpcInternal()
  report(@Payload() request: LaporReportRequest) {
    return this.lapor.report(request.complaintId);
  }

  @MessagePattern(SUBJECTS.complaints.recordLaporForward)
  @RpcInternal()
  recordForward(@Payload() command: RecordLaporForwardCommand) {
    return this.lapor.recordForward(command);
  }

  @MessagePattern(SUBJECTS.complaints.recordLaporUpdate)
  @RpcInternal()
  recordUpdate(@Payload() command: RecordLaporUpdateCommand) {
    return this.lapor.recordUpdate(command);
  }
}
