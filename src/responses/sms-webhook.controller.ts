import { BadRequestException, Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/principal';
import { TwilioSignatureGuard } from '../messaging/twilio-signature.guard';
import { SmsRepliesService } from './sms-replies.service';
import { RateLimit } from '../rate-limits/rate-limit.guard';

/** Twilio's inbound SMS webhook: signature checked first, then each MessageSid processed once. */
@ApiExcludeController()
@RateLimit('webhook')
@Controller('webhooks/twilio')
export class SmsWebhookController {
  constructor(private readonly replies: SmsRepliesService) {}

  @Public()
  @UseGuards(TwilioSignatureGuard)
  @Post('sms')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async inbound(@Body() body: Record<string, string>): Promise<string> {
    const { MessageSid, From, To, Body: text, MessagingServiceSid } = body ?? {};
    if (!MessageSid || !From || !To || typeof text !== 'string') {
      throw new BadRequestException('MessageSid, From, To and Body are required');
    }
    // PostgreSQL text cannot hold NUL; a reply is kept without it rather than lost.
    const clean = text.replace(/\u0000/g, '').slice(0, 1600);
    await this.replies.handleInboundSms({
      messageSid: MessageSid,
      from: From,
      to: To,
      body: clean,
      messagingServiceSid: typeof MessagingServiceSid === 'string' && MessagingServiceSid ? MessagingServiceSid : undefined,
      media: mediaOf(body),
    });
    // Replies go out through the API so they are recorded like every other message.
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  }
}

/** An MMS's media as Twilio posts them: NumMedia, then MediaUrl0…, MediaContentType0…. At most 10 (Twilio's own limit). */
function mediaOf(body: Record<string, string>): Array<{ url: string; contentType?: string }> {
  const n = /^\d{1,2}$/.test(body.NumMedia ?? '') ? Math.min(Number(body.NumMedia), 10) : 0;
  const out: Array<{ url: string; contentType?: string }> = [];
  for (let i = 0; i < n; i++) {
    const url = body[`MediaUrl${i}`];
    if (typeof url === 'string' && url) out.push({ url, contentType: body[`MediaContentType${i}`] || undefined });
  }
  return out;
}
