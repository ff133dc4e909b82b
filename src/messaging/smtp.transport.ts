import nodemailer, { Transporter } from 'nodemailer';
import { errorSummary } from './redact';
import { DeliveryError, MessageTransport, OutboundEnvelope, TransportReceipt } from './transports';

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
      const info = await this.transporter.sendMail({
        from: e.from ?? this.defaultFrom,
        to: e.to,
        subject: e.subject ?? '',
        text: e.text,
        html: e.html ?? undefined,
        headers: { 'X-Aftercare-Message-Id': e.id, ...(e.headers ?? {}) },
      });
      if (info.rejected?.length) throw new DeliveryError(`Recipient rejected: ${errorSummary(info.response)}`, false, 'smtp-rcpt-550');
      return { providerId: info.messageId, status: 'sent' };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const e2 = err as { responseCode?: number; code?: string; command?: string; message?: string };
      // 5xx is the server's final word; 4xx and dropped connections may pass later.
      const permanent = typeof e2.responseCode === 'number' && e2.responseCode >= 500;
      const atRecipient = e2.command === 'RCPT TO' || e2.code === 'EENVELOPE';
      throw new DeliveryError(
        // The server's text often quotes the address: only a masked summary leaves the adapter.
        errorSummary(e2.message) || 'SMTP error',
        !permanent,
        e2.responseCode ? `smtp-${atRecipient ? 'rcpt-' : ''}${e2.responseCode}` : (e2.code ?? null),
      );
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
