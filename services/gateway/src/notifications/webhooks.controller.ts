import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreateWebhookRequest,
  DeliveryPage,
  DeliveryResponse,
  ListDeliveriesQuery,
  ListWebhooksRequest,
  ReplayRequest,
  ReplayResponse,
  RotateSecretResponse,
  SUBJECTS,
  UpdateWebhookRequest,
  WebhookCreatedResponse,
  WebhookPage,
  WebhookResponse,
} from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

const uuid = new ParseUUIDPipe();

/** Standard Webhooks subscriptions for integrators (docs/webhooks.md); admins only. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Roles('admin')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Subscribe a receiver to events; the signing secret is in this answer only' })
  @ApiCreatedResponse({ type: WebhookCreatedResponse })
  @ApiProblems(400, 401, 403, 409, 503)
  create(@Body() body: CreateWebhookRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.createWebhook, body, call);
  }

  @Get()
  @ApiOperation({ summary: 'The subscriptions' })
  @ApiOkResponse({ type: WebhookPage })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ListWebhooksRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.listWebhooks, query, call);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One subscription, with why the system turned it off if it did' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  get(@Param('id', uuid) id: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.getWebhook, { id }, call);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a subscription; `active: true` turns it back on and sends what waited' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  update(@Param('id', uuid) id: string, @Body() body: UpdateWebhookRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.updateWebhook, { ...body, id }, call);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a subscription and its delivery log' })
  @ApiNoContentResponse()
  @ApiProblems(400, 401, 403, 404, 503)
  async remove(@Param('id', uuid) id: string, @Call() call: CallContext): Promise<void> {
    await this.rpc.send(SUBJECTS.notifications.deleteWebhook, { id }, call);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret (shown once); the old one keeps signing beside it for a grace period' })
  @ApiOkResponse({ type: RotateSecretResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  rotate(@Param('id', uuid) id: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.rotateWebhookSecret, { id }, call);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The subscription's deliveries, newest first, with their attempts and last answer" })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiProblems(400, 401, 403, 404, 503)
  deliveries(@Param('id', uuid) id: string, @Query() query: ListDeliveriesQuery, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.listDeliveries, { ...query, id }, call);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send one delivery again' })
  @ApiAcceptedResponse({ type: DeliveryResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  redeliver(@Param('id', uuid) id: string, @Param('deliveryId', uuid) deliveryId: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.redeliver, { id, deliveryId }, call);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Deliver again every matching event since a time; follow it at GET /webhooks/:id/replays/:replayId' })
  @ApiAcceptedResponse({ type: ReplayResponse })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  replay(@Param('id', uuid) id: string, @Body() body: ReplayRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.startReplay, { ...body, id }, call);
  }

  @Get(':id/replays/:replayId')
  @ApiOperation({ summary: "A replay's progress" })
  @ApiOkResponse({ type: ReplayResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  getReplay(@Param('id', uuid) id: string, @Param('replayId', uuid) replayId: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.getReplay, { id, replayId }, call);
  }
}
