import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegisterCitizenRequest, SUBJECTS, UserResponse } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('register')
  @HttpCode(201)
  @ApiOperation({ summary: 'A citizen registers with NIK, email, phone and password' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(400, 409, 503)
  register(@Body() body: RegisterCitizenRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.registerCitizen, body, call);
  }
}
