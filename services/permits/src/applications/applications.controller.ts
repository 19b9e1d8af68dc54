import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Actor,
  ApplicationActionCommand,
  ApplicationIdRequest,
  CreateApplicationRequest,
  DocumentRequest,
  ListApplicationsRequest,
  SubmitApplicationCommand,
  SUBJECTS,
  UploadDocumentCommand,
  VerificationCodeRequest,
} from '@smart-regency/contracts';
import { CurrentActor, IdempotencyKey, PEOPLE, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { DocumentsService } from '../documents/documents.service';
import { ApplicationsService } from './applications.service';
import { CertificatesService } from '../certificates/certificates.service';

@Controller()
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly documents: DocumentsService,
    private readonly certificates: CertificatesService,
  ) {}

  @MessagePattern(SUBJECTS.permits.createApplication)
  @RpcRoles('citizen')
  create(@CurrentActor() actor: Actor, @Payload() request: CreateApplicationRequest, @IdempotencyKey() key?: string) {
    return this.applications.create(actor, request, key);
  }

  @MessagePattern(SUBJECTS.permits.submitApplication)
  @RpcRoles('citizen')
  submit(@CurrentActor() actor: Actor, @Payload() command: SubmitApplicationCommand) {
    return this.applications.act(actor, { ...command, action: 'submit' });
  }

  @MessagePattern(SUBJECTS.permits.actOnApplication)
  @RpcRoles(...PEOPLE)
  act(@CurrentActor() actor: Actor, @Payload() command: ApplicationActionCommand) {
    return this.applications.act(actor, command);
  }

  @MessagePattern(SUBJECTS.permits.getApplication)
  @RpcRoles(...PEOPLE)
  get(@CurrentActor() actor: Actor, @Payload() request: ApplicationIdRequest) {
    return this.applications.get(actor, request.id);
  }

  @MessagePattern(SUBJECTS.permits.listApplications)
  @RpcRoles(...PEOPLE)
  list(@CurrentActor() actor: Actor, @Payload() query: ListApplicationsRequest) {
    return this.applications.list(actor, query);
  }

  @MessagePattern(SUBJECTS.permits.certificate)
  @RpcRoles(...PEOPLE)
  certificate(@CurrentActor() actor: Actor, @Payload() request: ApplicationIdRequest) {
    return this.certificates.download(actor, request.id);
  }

  @MessagePattern(SUBJECTS.permits.verifyPermit)
  @RpcPublic()
  verify(@Payload() request: VerificationCodeRequest) {
    return this.applications.verify(request.code);
  }

  @MessagePattern(SUBJECTS.permits.uploadDocument)
  @RpcRoles('citizen')
  upload(@CurrentActor() actor: Actor, @Payload() command: UploadDocumentCommand) {
    return this.documents.upload(actor, command);
  }

  @MessagePattern(SUBJECTS.permits.downloadDocument)
  @RpcRoles(...PEOPLE)
  download(@CurrentActor() actor: Actor, @Payload() request: DocumentRequest) {
    return this.documents.download(actor, request);
  }
}
