import type { Message, MessageStatus, Transport as TransportName } from './message.entity';

export interface OutboundEnvelope {
  id: string;
  channel: 'sms' | 'email';
  to: string;
  from: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  headers?: Record<string, string>;
  /** SMS only: the carrier drops the message after this many seconds instead of delivering it late. */
  validitySeconds?: number;
}

export interface TransportReceipt {
  providerId: string;
  status: MessageStatus;
}

/** Why a send failed, and whether trying again later could help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** One provider behind one interface: the dispatcher knows a channel, not Twilio or SMTP. */
export interface MessageTransport {
  readonly name: TransportName;
  send(envelope: OutboundEnvelope): Promise<TransportReceipt>;
  close?(): Promise<void>;
}

/**
 * A channel with no transport (no SMTP_URL, no Twilio, dev outbox off): it does not exist for
 * planning, and anything that still reaches it fails at once, never marked sent.
 */
export class OffTransport implements MessageTransport {
  readonly name = 'off' as const;
  constructor(private readonly channel: 'sms' | 'email') {}
  async send(): Promise<TransportReceipt> {
    throw new DeliveryError(`The ${this.channel} channel is off (no transport configured)`, false, 'channel-off');
  }
}

export const EMAIL_TRANSPORT = Symbol('EMAIL_TRANSPORT');
export const SMS_TRANSPORT = Symbol('SMS_TRANSPORT');

export function envelopeOf(m: Message): OutboundEnvelope {
  return {
    id: m.id,
    channel: m.channel,
    to: m.toAddress,
    from: m.fromAddress,
    subject: m.subject,
    text: m.body,
    html: m.html,
  };
}
