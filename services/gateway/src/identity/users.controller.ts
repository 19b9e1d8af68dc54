import { Body, Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ChangePasswordRequest,
  CreateStaffRequest,
  DataExportResponse,
  EraseMeRequest,
  ErasureResponse,
  ListUsersRequest,
  SUBJECTS,
  UpdateMeRequest,
  UpdateUserRequest,
  UserPage,
  UserResponse,
} from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';
import { DataExport } from './data-export';

@ApiTags('identity')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Accounts, filtered by role, agency, active or a name/email match (admin)' })
  @ApiOkResponse({ type: UserPage })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ListUsersRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.listUsers, query, call);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a staff account with its first password (admin); an auditor cannot also be officer or agency_head' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 409, 503)
  create(@Body() body: CreateStaffRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.createStaff, body, call);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account (admin)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  get(@Param('id', new ParseUUIDPipe()) id: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.getUser, { id }, call);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change roles, agency or name; `active: false` ends sign-in at once (admin)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateUserRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.updateUser, { ...body, id }, call);
  }
}

@ApiTags('identity')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly dataExport: DataExport,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(401, 503)
  me(@Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.me, {}, call);
  }

  @Patch()
  @ApiOperation({ summary: 'Change your name or phone' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 409, 503)
  update(@Body() body: UpdateMeRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.updateMe, body, call);
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password; your other sessions end at once, this one goes on; wrong current passwords are throttled' })
  @ApiNoContentResponse()
  @ApiProblems(400, 401, 429, 503)
  async password(@Body() body: ChangePasswordRequest, @Call() call: CallContext): Promise<void> {
    await this.rpc.send(SUBJECTS.identity.changePassword, body, call);
  }

  @Get('data-export')
  @Roles('citizen')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Disposition', 'attachment; filename="data-pribadi.json"')
  @ApiOperation({ summary: 'Everything every service holds about you, in one JSON document (UU 27/2022 PDP)' })
  @ApiOkResponse({ type: DataExportResponse })
  @ApiProblems(401, 403, 503)
  export(@Call() call: CallContext) {
    return this.dataExport.assemble(call);
  }

  @Delete()
  @Roles('citizen')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Erase your account: asks for your password; your sessions end at once',
    description:
      'Identity anonymises the account now; permits and complaints anonymise their copies from the event ' +
      '`identity.user.erased.v1` (also after an outage). Records the regency must keep stay, pseudonymised. See docs/privacy.md.',
  })
  @ApiAcceptedResponse({ type: ErasureResponse })
  @ApiProblems(400, 401, 403, 429, 503)
  erase(@Body() body: EraseMeRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.eraseMe, body, call);
  }
}
