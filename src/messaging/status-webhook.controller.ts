import { Body, Controller, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/principal';
import { MessagingService } from './messaging.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { RateLimit } from '../rate-limits/rate-limit.guard';

@ApiExcludeController()
@RateLimit('webhook')
@Controller('webhooks/twilio')
export class StatusWebhookController {
  constructor(private readonly messaging: MessagingService) {}

  @Public()
  @UseGuards(TwilioSignatureGuard)
  @Post('status')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async status(@Body() body: Record<string, string>, @Query('m') messageId?: string) {
    if (body.MessageSid && body.MessageStatus) {
      await this.messaging.applyDeliveryStatus(body.MessageSid, body.MessageStatus, body.ErrorCode || null, typeof messageId === 'string' ? messageId : undefined);
    }
    return '<Response/>';
  }
}
