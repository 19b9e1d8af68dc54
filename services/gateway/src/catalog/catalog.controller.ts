import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '../auth/auth.guard';
import {
  AgencyPage,
  AgencyResponse,
  CreateAgencyRequest,
  UpdateAgencyRequest,
  ComplaintCategoryPage,
  ComplaintCategoryResponse,
  CreateComplaintCategoryRequest,
  UpdateComplaintCategoryRequest,
  ListAgenciesRequest,
  ListComplaintCategoriesRequest,
  ListPermitTypesRequest,
  PermitTypePage,
  PermitTypeResponse,
  CreatePermitTypeRequest,
  UpdatePermitTypeRequest,
  SUBJECTS,
} from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

@ApiTags('identity')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'The directory of the regency agencies (OPD), public: front ends show it before sign-in' })
  @ApiOkResponse({ type: AgencyPage })
  @ApiProblems(400, 503)
  list(@Query() query: ListAgenciesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.listAgencies, query, call);
  }

  @Post()
  @Roles('admin')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Add an agency (admin)' })
  @ApiCreatedResponse({ type: AgencyResponse })
  @ApiProblems(400, 401, 403, 409, 503)
  create(@Body() body: CreateAgencyRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.createAgency, body, call);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Rename or reclassify an agency (admin)' })
  @ApiOkResponse({ type: AgencyResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateAgencyRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.updateAgency, { ...body, id }, call);
  }
}

@ApiTags('permits')
@Controller('permit-types')
export class PermitTypesController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'The permit catalogue' })
  @ApiOkResponse({ type: PermitTypePage })
  @ApiProblems(400, 503)
  list(@Query() query: ListPermitTypesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.listPermitTypes, query, call);
  }

  @Public()
  @Get(':code')
  @ApiOperation({ summary: 'One permit type: required documents, form fields, SLA, fee' })
  @ApiOkResponse({ type: PermitTypeResponse })
  @ApiProblems(404, 503)
  get(@Param('code') code: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.getPermitType, { code: code.slice(0, 40) }, call);
  }

  @Post()
  @Roles('admin')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Add a permit type (admin)' })
  @ApiCreatedResponse({ type: PermitTypeResponse })
  @ApiProblems(400, 401, 403, 409, 503)
  create(@Body() body: CreatePermitTypeRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.createPermitType, body, call);
  }

  @Patch(':code')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change a permit type (admin); open applications keep their terms' })
  @ApiOkResponse({ type: PermitTypeResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  update(@Param('code') code: string, @Body() body: UpdatePermitTypeRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.updatePermitType, { ...body, code: code.slice(0, 40) }, call);
  }
}

@ApiTags('complaints')
@Controller('complaint-categories')
export class ComplaintCategoriesController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Complaint categories and the agencies they go to' })
  @ApiOkResponse({ type: ComplaintCategoryPage })
  @ApiProblems(400, 503)
  list(@Query() query: ListComplaintCategoriesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.listCategories, query, call);
  }

  @Post()
  @Roles('admin')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Add a complaint category routed to an agency (admin)' })
  @ApiCreatedResponse({ type: ComplaintCategoryResponse })
  @ApiProblems(400, 401, 403, 409, 503)
  create(@Body() body: CreateComplaintCategoryRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.createCategory, body, call);
  }

  @Patch(':code')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Rename, reroute or close a complaint category (admin); filed complaints keep their agency' })
  @ApiOkResponse({ type: ComplaintCategoryResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  update(@Param('code') code: string, @Body() body: UpdateComplaintCategoryRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.updateCategory, { ...body, code: code.slice(0, 40) }, call);
  }
}
