import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgencyStaffRequest, ContactsRequest, SUBJECTS } from '@smart-regency/contracts';
import { RpcInternal } from '@smart-regency/platform';
import { ContactsService } from './contacts.service';

/** Asked by notifications as itself: NATS permissions let no one else publish here. */
@Controller()
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @MessagePattern(SUBJECTS.identity.contacts)
  @RpcInternal()
  ofUsers(@Payload() request: ContactsRequest) {
    return this.contacts.contacts(request.userIds);
  }

  @MessagePattern(SUBJECTS.identity.agencyStaff)
  @RpcInternal()
  staff(@Payload() request: AgencyStaffRequest) {
    return this.contacts.staff(request);
  }
}
