import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MessagingService } from './messaging.service';
import { OutboxTransport } from './outbox.transport';
import { SmtpTransport } from './smtp.transport';
import { StatusWebhookController } from './status-webhook.controller';
import { EMAIL_TRANSPORT, SMS_TRANSPORT } from './transports';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioSmsTransport } from './twilio.transport';
import { OutboxController } from './outbox.controller';

@Module({
  controllers: [StatusWebhookController, OutboxController],
  providers: [
    MessagingService,
    TwilioSignatureGuard,
    {
      provide: EMAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => (c.smtpUrl ? new SmtpTransport(c.smtpUrl, c.emailFrom) : new OutboxTransport()),
    },
    {
      provide: SMS_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        c.twilio
          ? new TwilioSmsTransport(c.twilio, c.twilio.from, `${c.publicBaseUrl}/webhooks/twilio/status`)
          : new OutboxTransport(),
    },
  ],
  exports: [MessagingService, TwilioSignatureGuard],
})
export class MessagingModule {}
