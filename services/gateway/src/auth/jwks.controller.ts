import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JwksResponse } from '@smart-regency/contracts';
import { Public } from './auth.guard';
import { TokenVerifier } from './jwks';

@ApiTags('identity')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: TokenVerifier) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that sign access tokens (current and previous)' })
  @ApiOkResponse({ type: JwksResponse })
  jwks() {
    return this.tokens.publicKeys();
  }
}
