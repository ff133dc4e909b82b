import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MessagingService } from './messaging.service';
import { OutboxTransport } from './outbox.transport';
import { SmtpTransport } from './smtp.transport';
import { StatusWebhookController } from './status-webhook.controller';
import { EMAIL_TRANSPORT, OffTransport, SMS_TRANSPORT } from './transports';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioSmsTransport } from './twilio.transport';
import { OutboxController } from './outbox.controller';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Message } from './message.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Message])],
  controllers: [StatusWebhookController, OutboxController],
  providers: [
    MessagingService,
    TwilioSignatureGuard,
    {
      provide: EMAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        c.channels.email === 'smtp' ? new SmtpTransport(c.smtpUrl!, c.emailFrom) : c.channels.email === 'outbox' ? new OutboxTransport() : new OffTransport('email'),
    },
    {
      provide: SMS_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        c.channels.sms === 'twilio'
          ? new TwilioSmsTransport(c.twilio!, c.twilio!.from, `${c.publicBaseUrl}/webhooks/twilio/status`)
          : c.channels.sms === 'outbox'
            ? new OutboxTransport()
            : new OffTransport('sms'),
    },
  ],
  exports: [MessagingService, TwilioSignatureGuard],
})
export class MessagingModule {}
