import type { FailureKind } from './delivery-failure';
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

/**
 * Why a send failed, provider-free: the adapter's masked summary, what the failure means
 * (`kind`, read from the provider's codes by the adapter alone) and the code it is recorded under.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly code: string | null,
  ) {
    super(message);
  }

  /** Trying again later could help. */
  get transient(): boolean {
    return this.kind === 'transient';
  }
}

/**
 * A provider's later word on a message it accepted (a status callback), translated by its
 * adapter: our status, and when the message did not arrive, why.
 */
export interface DeliveryReport {
  provider: TransportName;
  providerId: string;
  status: MessageStatus;
  /** The provider's error code, recorded on the message whatever the status. */
  errorCode: string | null;
  failure: { kind: FailureKind; code: string } | null;
  /** Our message id, when the provider echoes it back: a report may arrive before the send's own outcome is stored. */
  messageId?: string;
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
    throw new DeliveryError(`The ${this.channel} channel is off (no transport configured)`, 'permanent', 'channel-off');
  }
}

export const EMAIL_TRANSPORT = Symbol('EMAIL_TRANSPORT');
export const SMS_TRANSPORT = Symbol('SMS_TRANSPORT');

export function envelopeOf(message: Message): OutboundEnvelope {
  return {
    id: message.id,
    channel: message.channel,
    to: message.toAddress,
    from: message.fromAddress,
    subject: message.subject,
    text: message.body,
    html: message.html,
  };
}
