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
