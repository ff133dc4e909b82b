import { Body, Controller, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/principal';
import { DeliveryAttempts } from './delivery-attempts.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioSmsTransport } from './twilio.transport';
import { RateLimit } from '../rate-limits/rate-limit.guard';

/** Twilio's status callbacks: the adapter translates them, delivery attempts record them. */
@ApiExcludeController()
@RateLimit('webhook')
@Controller('webhooks/twilio')
export class StatusWebhookController {
  constructor(private readonly attempts: DeliveryAttempts) {}

  @Public()
  @UseGuards(TwilioSignatureGuard)
  @Post('status')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async status(@Body() body: Record<string, string>, @Query('m') messageId?: string) {
    const report = TwilioSmsTransport.readStatusCallback(body ?? {}, typeof messageId === 'string' ? messageId : undefined);
    if (report) await this.attempts.applyReport(report);
    return '<Response/>';
  }
}
