import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  ListMessagesRequest,
  ListMyNotificationsRequest,
  MESSAGE_LANGUAGES,
  MessagePage,
  NotificationPage,
  NotificationPreferences,
  NotificationPreferencesResponse,
  NotificationResponse,
  PutTemplateRequest,
  ReadAllResponse,
  SUBJECTS,
  TemplateResponse,
  UnreadCountResponse,
} from '@smart-regency/contracts';
import { CallContext, DomainError, RpcClient } from '@smart-regency/platform';
import { Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

const uuid = new ParseUUIDPipe();
/** People, not service accounts: an inbox belongs to someone. */
const PEOPLE = ['citizen', 'officer', 'agency_head', 'admin', 'auditor'] as const;

/** The signed-in person's in-app inbox and their choice of channels and language. */
@ApiTags('notifications')
@ApiBearerAuth()
@Roles(...PEOPLE)
@Controller('me')
export class MyNotificationsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('notifications')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Your messages, newest first; `unread=true` for the unread ones' })
  @ApiOkResponse({ type: NotificationPage })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ListMyNotificationsRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.listMine, query, call);
  }

  @Get('notifications/unread-count')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'How many of your messages are unread (for a badge)' })
  @ApiOkResponse({ type: UnreadCountResponse })
  @ApiProblems(401, 403, 503)
  unreadCount(@Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.unreadCount, {}, call);
  }

  @Post('notifications/read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all your messages read' })
  @ApiOkResponse({ type: ReadAllResponse })
  @ApiProblems(401, 403, 503)
  readAll(@Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.markAllRead, {}, call);
  }

  @Post('notifications/:id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of your messages read' })
  @ApiOkResponse({ type: NotificationResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  read(@Param('id', uuid) id: string, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.markRead, { id }, call);
  }

  @Get('notification-preferences')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Your channels and language (email and the inbox until you choose; SMS and WhatsApp need your consent)' })
  @ApiOkResponse({ type: NotificationPreferencesResponse })
  @ApiProblems(401, 403, 503)
  preferences(@Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.getPreferences, {}, call);
  }

  @Put('notification-preferences')
  @ApiOperation({ summary: 'Choose channels and language; turning a channel off stops what waits on it' })
  @ApiOkResponse({ type: NotificationPreferencesResponse })
  @ApiProblems(400, 401, 403, 503)
  putPreferences(@Body() body: NotificationPreferences, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.putPreferences, body, call);
  }
}

/** Message templates as data (Indonesian and English); admins only. */
@ApiTags('notifications')
@ApiBearerAuth()
@Roles('admin')
@Controller('notification-templates')
export class NotificationTemplatesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Every message type in both languages, with the variables each may use' })
  @ApiOkResponse({ type: [TemplateResponse] })
  @ApiProblems(401, 403, 503)
  list(@Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.listTemplates, {}, call);
  }

  @Put(':type/:language')
  @ApiOperation({ summary: 'Replace one template; a variable the message type does not offer is refused' })
  @ApiParam({ name: 'language', enum: MESSAGE_LANGUAGES })
  @ApiOkResponse({ type: TemplateResponse })
  @ApiProblems(400, 401, 403, 404, 503)
  put(@Param('type') type: string, @Param('language') language: string, @Body() body: PutTemplateRequest, @Call() call: CallContext) {
    if (!(MESSAGE_LANGUAGES as readonly string[]).includes(language)) throw new DomainError('COMMON.VALIDATION', 'language must be id or en', [{ field: 'language', message: 'must be id or en' }]);
    if (!/^[a-z_.]{1,60}$/.test(type)) throw new DomainError('NOTIFICATIONS.TEMPLATE_NOT_FOUND', 'no such message type');
    return this.rpc.send(SUBJECTS.notifications.putTemplate, { ...body, type, language: language as 'id' | 'en' }, call);
  }
}

/** What was sent about records and whether it arrived (dead letters with `status=failed`). */
@ApiTags('notifications')
@ApiBearerAuth()
@Roles('officer', 'agency_head', 'admin', 'auditor')
@Controller('notification-messages')
export class NotificationMessagesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: "Messages about your agency's records (admins and auditors: all), per channel: delivered, pending, failed or skipped" })
  @ApiOkResponse({ type: MessagePage })
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: ListMessagesRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.notifications.listMessages, query, call);
  }
}
