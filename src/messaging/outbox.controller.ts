import { ErrorResponseDto } from '../common/api-responses';
import { Controller, Get, Header, Inject, NotFoundException, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, Principal } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { OutboxPageDto, OutboxQuery } from './dto/outbox.dto';
import { MessagingService } from './messaging.service';
import { DEFAULT_PAGE_LIMIT } from '../common/pagination';

/**
 * The dev outbox: what would have been sent on a channel that goes to the outbox (a first run
 * without SMTP or Twilio). An admin sees their own clinic's messages only: they hold live links.
 */
@ApiTags('dev')
@ApiBearerAuth()
@Controller('v1/dev/outbox')
export class OutboxController {
  constructor(
    private readonly messaging: MessagingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Allow('admin')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The clinic's messages kept in the dev outbox, newest first (only while a channel goes to the outbox)" })
  @ApiOkResponse({ type: OutboxPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No channel goes to the dev outbox' })
  async list(@CurrentPrincipal() p: Principal, @Query() q: OutboxQuery): Promise<OutboxPageDto> {
    const { email, sms } = this.config.channels;
    if (email !== 'outbox' && sms !== 'outbox') throw new NotFoundException('The dev outbox is off (no channel goes to it)');
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = q.offset ?? 0;
    const { items, total } = await this.messaging.listOutbox(p.clinicId, { limit, offset });
    return {
      items: items.map((message) => ({
        id: message.id,
        createdAt: message.createdAt.toISOString(),
        channel: message.channel,
        purpose: message.purpose,
        to: message.toAddress,
        from: message.fromAddress,
        subject: message.subject,
        text: message.body,
        patientId: message.patientId,
        checkInId: message.checkInId,
      })),
      total,
      limit,
      offset,
    };
  }
}
