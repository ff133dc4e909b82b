import { randomUUID } from 'node:crypto';
import { MessageTransport, TransportReceipt } from './transports';

/**
 * With no SMTP or Twilio settings, messages stay here: the row in `messages` is the outbox,
 * shown at /dev/outbox, so a newcomer can see the whole loop without accounts.
 */
export class OutboxTransport implements MessageTransport {
  readonly name = 'outbox' as const;
  async send(): Promise<TransportReceipt> {
    return { providerId: `outbox-${randomUUID()}`, status: 'delivered' };
  }
}
