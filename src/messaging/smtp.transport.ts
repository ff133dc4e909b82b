import nodemailer, { Transporter } from 'nodemailer';
import type { FailureKind } from './delivery-failure';
import { errorSummary } from './redact';
import { DeliveryError, MessageTransport, OutboundEnvelope, TransportReceipt } from './transports';

/** What an SMTP answer means: a 5xx at RCPT TO is the mailbox; any other 5xx is the message; 4xx may pass later. */
export function smtpFailureKind(code: string | null, transient: boolean): FailureKind {
  if (code && /^smtp-rcpt-5\d\d$/.test(code)) return 'invalid_contact';
  return transient ? 'transient' : 'permanent';
}

/** nodemailer's answer to sendMail, as far as we read it. */
interface SentInfo {
  messageId: string;
  rejected?: unknown[];
  response?: string;
}

/** Email over SMTP with nodemailer's pooled transport. */
export class SmtpTransport implements MessageTransport {
  readonly name = 'smtp' as const;
  private readonly transporter: Transporter;

  constructor(smtpUrl: string, private readonly defaultFrom: string) {
    this.transporter = nodemailer.createTransport(smtpUrl, {
      pool: true,
      maxConnections: 3,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as never);
  }

  async send(e: OutboundEnvelope): Promise<TransportReceipt> {
    try {
      const info = (await this.transporter.sendMail({
        from: e.from ?? this.defaultFrom,
        to: e.to,
        subject: e.subject ?? '',
        text: e.text,
        html: e.html ?? undefined,
        headers: { 'X-Aftercare-Message-Id': e.id, ...(e.headers ?? {}) },
      })) as SentInfo;
      if (info.rejected?.length) throw new DeliveryError(`Recipient rejected: ${errorSummary(info.response)}`, smtpFailureKind('smtp-rcpt-550', false), 'smtp-rcpt-550');
      return { providerId: info.messageId, status: 'sent' };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const e2 = err as { responseCode?: number; code?: string; command?: string; message?: string };
      // 5xx is the server's final word; 4xx and dropped connections may pass later.
      const permanent = typeof e2.responseCode === 'number' && e2.responseCode >= 500;
      const atRecipient = e2.command === 'RCPT TO' || e2.code === 'EENVELOPE';
      const code = e2.responseCode ? `smtp-${atRecipient ? 'rcpt-' : ''}${e2.responseCode}` : (e2.code ?? null);
      // The server's text often quotes the address: only a masked summary leaves the adapter.
      throw new DeliveryError(errorSummary(e2.message) || 'SMTP error', smtpFailureKind(code, !permanent), code);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
