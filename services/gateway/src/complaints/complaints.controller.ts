import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  AddCommentRequest,
  ATTACHMENT_CONTENT_TYPES,
  AttachmentResponse,
  CommentResponse,
  ComplaintActionRequest,
  ComplaintPage,
  ComplaintResponse,
  FileComplaintRequest,
  ForwardLaporRequest,
  ListComplaintsRequest,
  ListPublicComplaintsRequest,
  PublicComplaintPage,
  PublicComplaintResponse,
  RateComplaintRequest,
  SUBJECTS,
  UploadAttachmentQuery,
} from '@smart-regency/contracts';
import { CallContext, FileTransfer, RpcClient, toFilePayload } from '@smart-regency/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ForwardedBody } from '../http/forwarded-body';
import { IfMatch, setETag } from '../http/if-match';
import { fileNameOf, sendFile, uploadedFile } from '../http/files';
import { ApiProblems } from '../http/openapi';

const PEOPLE = ['citizen', 'officer', 'agency_head', 'admin', 'auditor'] as const;


@ApiTags('complaints')
@ApiBearerAuth()
@Controller('complaints')
export class ComplaintsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly transfer: FileTransfer,
  ) {}

  @Post()
  @Roles('citizen')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key and body returns the first answer and creates nothing' })
  @ApiOperation({ summary: 'File a complaint (public, anonymous or confidential); a citizen files at most CITIZEN_FILINGS_PER_DAY a day (429 with Retry-After beyond)' })
  @ApiCreatedResponse({ type: ComplaintResponse })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiBody({ type: FileComplaintRequest })
  async file(@ForwardedBody() body: FileComplaintRequest, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaint = await this.rpc.send(SUBJECTS.complaints.file, body, call);
    setETag(reply, complaint.version);
    return complaint;
  }

  @Get()
  @Roles(...PEOPLE)
  @ApiOperation({ summary: "Complaints: a citizen's own, an agency's queue by deadline, or all for coordinators and auditors" })
  @ApiOkResponse({ type: ComplaintPage })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ListComplaintsRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.list, query, call);
  }

  @Get(':id')
  @Roles(...PEOPLE)
  @ApiOperation({ summary: 'One complaint' })
  @ApiOkResponse({ type: ComplaintResponse })
  @ApiProblems(400, 401, 404, 503)
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Call() call: CallContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaint = await this.rpc.send(SUBJECTS.complaints.get, { id }, call);
    setETag(reply, complaint.version);
    return complaint;
  }

  @Post(':id/actions')
  @Roles(...PEOPLE)
  @HttpCode(200)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOperation({ summary: 'verify, reject, dispose (coordinator); start, resolve (assigned agency); reopen, confirm (reporter); close' })
  @ApiOkResponse({ type: ComplaintResponse })
  @ApiProblems(400, 401, 403, 404, 409, 412, 503)
  async act(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ComplaintActionRequest,
    @IfMatch() ifMatch: number | undefined,
    @Call() call: CallContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const complaint = await this.rpc.send(SUBJECTS.complaints.act, { ...body, id, ifMatch }, call);
    setETag(reply, complaint.version);
    return complaint;
  }

  @Post(':id/forward-lapor')
  @Roles('agency_head', 'admin')
  @HttpCode(202)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOperation({
    summary:
      "Forward to SP4N-LAPOR! (the head of the complaint's agency, or a coordinator): accepted at once, sent by the notifications service; `lapor.status` goes from `requested` to `forwarded` or `failed`, and the history shows each step. Not for rejected complaints; again only after a failure (409 otherwise)",
  })
  @ApiAcceptedResponse({ type: ComplaintResponse })
  @ApiProblems(400, 401, 403, 404, 409, 412, 503)
  async forwardLapor(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ForwardLaporRequest,
    @IfMatch() ifMatch: number | undefined,
    @Call() call: CallContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const complaint = await this.rpc.send(SUBJECTS.complaints.forwardLapor, { ...body, id, ifMatch }, call);
    setETag(reply, complaint.version);
    return complaint;
  }

  @Get(':id/comments')
  @Roles(...PEOPLE)
  @ApiOperation({ summary: 'The thread between the reporter, the assigned agency and the coordinators' })
  @ApiOkResponse({ type: [CommentResponse] })
  @ApiProblems(400, 401, 404, 503)
  comments(@Param('id', new ParseUUIDPipe()) id: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.listComments, { id }, call);
  }

  @Post(':id/comments')
  @Roles(...PEOPLE)
  @HttpCode(201)
  @ApiOperation({ summary: 'Add to the thread; a citizen adds at most CITIZEN_COMMENTS_PER_DAY a day (429 with Retry-After beyond)' })
  @ApiCreatedResponse({ type: CommentResponse })
  @ApiProblems(400, 401, 404, 429, 503)
  comment(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AddCommentRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.addComment, { ...body, id }, call);
  }

  @Post(':id/rating')
  @Roles('citizen')
  @HttpCode(200)
  @ApiOperation({ summary: 'The reporter rates the answer 1–5, once, after resolution' })
  @ApiOkResponse({ type: ComplaintResponse })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  rate(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: RateComplaintRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.rate, { ...body, id }, call);
  }

  @Post(':id/attachments')
  @Roles(...PEOPLE)
  @HttpCode(201)
  @ApiConsumes(...ATTACHMENT_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOperation({ summary: 'Attach a photo (JPEG, PNG) or PDF, at most 10 MiB, as the raw body; the reporter or the handling staff; the content is checked, not the header; a citizen uploads at most CITIZEN_UPLOADS_PER_DAY a day (429 beyond)' })
  @ApiCreatedResponse({ type: AttachmentResponse })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 429, 503)
  async upload(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: UploadAttachmentQuery, @Req() request: FastifyRequest, @Call() call: CallContext) {
    const { contentType, bytes } = uploadedFile(request);
    return this.rpc.send(SUBJECTS.complaints.uploadAttachment, { ...query, id, contentType, ...(await toFilePayload(this.transfer, bytes)) }, call);
  }

  @Get(':id/attachments')
  @Roles(...PEOPLE)
  @ApiOperation({ summary: "A complaint's files (whoever may see the complaint)" })
  @ApiOkResponse({ type: [AttachmentResponse] })
  @ApiProblems(400, 401, 404, 503)
  attachments(@Param('id', new ParseUUIDPipe()) id: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.listAttachments, { id }, call);
  }

  @Get(':id/attachments/:attachmentId')
  @Roles(...PEOPLE)
  @ApiProduces(...ATTACHMENT_CONTENT_TYPES)
  @ApiOperation({ summary: 'One file back, with its sha-256 in `Digest`' })
  @ApiProblems(400, 401, 404, 503)
  async download(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('attachmentId', new ParseUUIDPipe()) attachmentId: string,
    @Call() call: CallContext,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.rpc.send(SUBJECTS.complaints.downloadAttachment, { id, attachmentId }, call);
    await sendFile(this.transfer, file, file.fileName ?? fileNameOf(file.id, file.contentType), reply, 'private, no-store');
  }
}

@ApiTags('complaints')
@Controller('public/complaints')
export class PublicComplaintsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly transfer: FileTransfer,
  ) {}

  @Public()
  @Get(':trackingNumber/attachments/:attachmentId')
  @ApiProduces(...ATTACHMENT_CONTENT_TYPES)
  @ApiOperation({ summary: 'A file of a public complaint (never of anonymous or confidential ones)' })
  @ApiProblems(400, 404, 503)
  async attachment(@Param('trackingNumber') trackingNumber: string, @Param('attachmentId', new ParseUUIDPipe()) attachmentId: string, @Call() call: CallContext, @Res() reply: FastifyReply) {
    const file = await this.rpc.send(SUBJECTS.complaints.downloadPublicAttachment, { trackingNumber: trackingNumber.slice(0, 40), attachmentId }, call);
    await sendFile(this.transfer, file, file.fileName ?? fileNameOf(file.id, file.contentType), reply, 'public, max-age=300');
  }

  @Public()
  @Get()
  @ApiOperation({ summary: 'Public and anonymous complaints, without reporters' })
  @ApiOkResponse({ type: PublicComplaintPage })
  @ApiProblems(400, 503)
  list(@Query() query: ListPublicComplaintsRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.listPublic, query, call);
  }

  @Public()
  @Get(':trackingNumber')
  @ApiOperation({ summary: 'One public or anonymous complaint by its tracking number' })
  @ApiOkResponse({ type: PublicComplaintResponse })
  @ApiProblems(404, 503)
  get(@Param('trackingNumber') trackingNumber: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: trackingNumber.slice(0, 40) }, call);
  }
}
