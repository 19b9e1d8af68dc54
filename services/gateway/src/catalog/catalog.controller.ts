import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AgencyPage,
  ComplaintCategoryPage,
  ListAgenciesRequest,
  ListComplaintCategoriesRequest,
  ListPermitTypesRequest,
  PermitTypePage,
  SUBJECTS,
} from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

@ApiTags('identity')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List the regency agencies (OPD)' })
  @ApiOkResponse({ type: AgencyPage })
  @ApiProblems(400, 503)
  list(@Query() query: ListAgenciesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.listAgencies, query, call);
  }
}

@ApiTags('permits')
@Controller('permit-types')
export class PermitTypesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'The permit catalogue' })
  @ApiOkResponse({ type: PermitTypePage })
  @ApiProblems(400, 503)
  list(@Query() query: ListPermitTypesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.permits.listPermitTypes, query, call);
  }
}

@ApiTags('complaints')
@Controller('complaint-categories')
export class ComplaintCategoriesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Complaint categories and the agencies they go to' })
  @ApiOkResponse({ type: ComplaintCategoryPage })
  @ApiProblems(400, 503)
  list(@Query() query: ListComplaintCategoriesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.complaints.listCategories, query, call);
  }
}
