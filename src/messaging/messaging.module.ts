import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeliveryAttempts } from './delivery-attempts.service';
import { DeliveryHooks } from './delivery-hooks';
import { Message } from './message.entity';
import { MessageQueue } from './message-queue.service';
import { MessagesRepository } from './messages.repository';
import { MessagingService } from './messaging.service';
import { OutboxController } from './outbox.controller';
import { OutboxTransport } from './outbox.transport';
import { SmtpTransport } from './smtp.transport';
import { StatusWebhookController } from './status-webhook.controller';
import { EMAIL_TRANSPORT, OffTransport, SMS_TRANSPORT } from './transports';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioSmsTransport } from './twilio.transport';

/**
 * Outbound messages: transports, the message queue, delivery status. Its guards and failure hook
 * (DeliveryHooks) are registered by the features above it, all in src/triage/loop-wiring.ts.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Message])],
  controllers: [StatusWebhookController, OutboxController],
  providers: [
    MessagingService,
    MessagesRepository,
    DeliveryAttempts,
    DeliveryHooks,
    MessageQueue,
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
  exports: [MessagingService, DeliveryAttempts, DeliveryHooks, MessageQueue, TwilioSignatureGuard],
})
export class MessagingModule {}
