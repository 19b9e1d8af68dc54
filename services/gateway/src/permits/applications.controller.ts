import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  ApplicationActionRequest,
  ApplicationPage,
  ApplicationResponse,
  CreateApplicationRequest,
  DOCUMENT_CONTENT_TYPES,
  DocumentResponse,
  ListApplicationsRequest,
  PermitVerificationResponse,
  SUBJECTS,
} from '@smart-regency/contracts';
import { CallContext, DomainError, FileTransfer, fromFilePayload, RpcClient, toFilePayload } from '@smart-regency/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ForwardedBody } from '../http/forwarded-body';
import { IfMatch, setETag } from '../http/if-match';
import { fileNameOf, sendFile, uploadedFile } from '../http/files';
import { ApiProblems } from '../http/openapi';

const PEOPLE = ['citizen', 'officer', 'agency_head', 'admin', 'auditor'] as const;
const DOCUMENT_CODE = /^[A-Z0-9_-]{1,40}$/;

@ApiTags('permits')
@ApiBearerAuth()
@Controller('permit-applications')
export class ApplicationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly transfer: FileTransfer,
  ) {}

  @Post()
  @Roles('citizen')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key and body returns the first answer and creates nothing' })
  @ApiOperation({ summary: 'Start an application (a draft); a citizen starts at most CITIZEN_DRAFTS_PER_DAY a day (429 with Retry-After beyond)' })
  @ApiCreatedResponse({ type: ApplicationResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429, 503)
  @ApiBody({ type: CreateApplicationRequest })
  async create(@ForwardedBody() body: CreateApplicationRequest, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const app = await this.rpc.send(SUBJECTS.permits.createApplication, body, call);
    setETag(reply, app.version);
    return app;
  }

  @Get()
  @Roles(...PEOPLE)
  @ApiOperation({ summary: "Applications: a citizen's own, an agency's work queue (by deadline), or all for admins and auditors" })
  @ApiOkResponse({
    type: ApplicationPage,
    description: '`total` is exact up to 1,000 matching applications (`totalExact: true`); beyond that `totalExact` is false and `total` is a lower bound',
  })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ListApplicationsRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.listApplications, query, call);
  }

  @Get(':id')
  @Roles(...PEOPLE)
  @ApiOperation({ summary: 'One application with its history and documents' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiProblems(400, 401, 404, 503)
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const app = await this.rpc.send(SUBJECTS.permits.getApplication, { id }, call);
    setETag(reply, app.version);
    return app;
  }

  @Post(':id/submit')
  @Roles('citizen')
  @HttpCode(200)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you last saw, e.g. "1"' })
  @ApiOperation({ summary: 'Submit a draft: checks form fields and required documents, sets dueAt' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiProblems(400, 401, 404, 409, 412, 503)
  async submit(@Param('id', new ParseUUIDPipe()) id: string, @IfMatch() ifMatch: number | undefined, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const app = await this.rpc.send(SUBJECTS.permits.submitApplication, { id, ifMatch }, call);
    setETag(reply, app.version);
    return app;
  }

  @Post(':id/actions')
  @Roles(...PEOPLE)
  @HttpCode(200)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you last saw, e.g. "3"' })
  @ApiOperation({ summary: 'verify, request-revision, recommend, approve, reject, record-payment, issue, revoke (staff); withdraw, resubmit (owner)' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiProblems(400, 401, 403, 404, 409, 412, 503)
  async act(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ApplicationActionRequest,
    @IfMatch() ifMatch: number | undefined,
    @Call() call: CallContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const app = await this.rpc.send(SUBJECTS.permits.actOnApplication, { ...body, id, ifMatch }, call);
    setETag(reply, app.version);
    return app;
  }

  @Get(':id/certificate')
  @Roles(...PEOPLE)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The signed PDF certificate (PAdES) with a QR code of its public verification URL, once issued: made once, then always the same file; 503 while it cannot be signed' })
  @ApiProblems(400, 401, 404, 409, 503)
  async certificate(@Param('id', new ParseUUIDPipe()) id: string, @Call() call: CallContext, @Res() reply: FastifyReply) {
    const file = await this.rpc.send(SUBJECTS.permits.certificate, { id }, call);
    const bytes = await fromFilePayload(this.transfer, file).catch(() => {
      throw new DomainError('COMMON.SERVICE_UNAVAILABLE', 'the certificate could not be fetched; try again');
    });
    void reply
      .header('Content-Type', 'application/pdf')
      .header('Content-Disposition', `inline; filename="${file.certificateNumber.replace(/[^A-Za-z0-9-]/g, '_')}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .send(bytes);
  }

  @Put(':id/documents/:documentCode')
  @Roles('citizen')
  @ApiConsumes(...DOCUMENT_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOperation({ summary: 'Upload or replace a required document (PDF, JPEG or PNG, at most 10 MiB); the content is checked, not the header; the replaced version is deleted; CITIZEN_UPLOADS_PER_DAY a day (429 beyond)' })
  @ApiOkResponse({ type: DocumentResponse })
  @ApiProblems(400, 401, 404, 409, 429, 503)
  async upload(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('documentCode') documentCode: string,
    @Req() request: FastifyRequest,
    @Call() call: CallContext,
  ) {
    if (!DOCUMENT_CODE.test(documentCode)) throw new DomainError('COMMON.VALIDATION', 'bad document code', [{ field: 'documentCode', message: 'unknown document code', rule: 'matches' }]);
    const { contentType, bytes } = uploadedFile(request);
    return this.rpc.send(SUBJECTS.permits.uploadDocument, { id, documentCode, contentType, ...(await toFilePayload(this.transfer, bytes)) }, call);
  }

  @Get(':id/documents/:documentCode')
  @Roles(...PEOPLE)
  @ApiProduces(...DOCUMENT_CONTENT_TYPES)
  @ApiOperation({ summary: 'The uploaded file back (owner and handling staff)' })
  @ApiProblems(400, 401, 404, 503)
  async download(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('documentCode') documentCode: string,
    @Call() call: CallContext,
    @Res() reply: FastifyReply,
  ) {
    if (!DOCUMENT_CODE.test(documentCode)) throw new DomainError('PERMITS.DOCUMENT_NOT_FOUND', 'no such document');
    const file = await this.rpc.send(SUBJECTS.permits.downloadDocument, { id, documentCode }, call);
    await sendFile(this.transfer, file, fileNameOf(documentCode, file.contentType), reply, 'private, no-store');
  }
}

@ApiTags('permits')
@Controller('permits')
export class PermitVerificationController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get('verify/:verificationCode')
  @ApiOperation({ summary: 'Anyone checks a certificate by the code in its QR (holder shown as initials only)' })
  @ApiOkResponse({ type: PermitVerificationResponse })
  @ApiProblems(404, 503)
  verify(@Param('verificationCode') code: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.verifyPermit, { code: code.slice(0, 60) }, call);
  }
}
