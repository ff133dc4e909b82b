import { simpleParser, ParsedMail } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  envelopeFrom: string;
  parsed: ParsedMail;
  raw: string;
}

/** A real SMTP server in-process; tests read what arrived and can make it refuse. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Recipients refused with 550 at RCPT TO. */
  readonly rejectRecipients = new Set<string>();
  /** The next N messages answered with this code at DATA (e.g. 451 transient, 554 permanent). */
  failNext: { count: number; code: number } = { count: 0, code: 451 };
  /** The next N messages have their connection cut in the middle of DATA. */
  dropNext = 0;
  /** Connection errors (a client that died mid-session: ECONNRESET); kept, never thrown. */
  readonly connectionErrors: Error[] = [];
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, cb) => {
        if (this.rejectRecipients.has(address.address.toLowerCase())) {
          const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        if (this.dropNext > 0) {
          this.dropNext--;
          const server = this.server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> };
          for (const c of server.connections) if (c.id === session.id) c._socket.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          if (this.failNext.count > 0) {
            this.failNext.count--;
            const err = new Error('Try again later') as Error & { responseCode: number };
            err.responseCode = this.failNext.code;
            return cb(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const parsed = await simpleParser(raw);
          this.received.push({
            envelopeTo: (session.envelope.rcptTo ?? []).map((r) => r.address),
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            parsed,
            raw,
          });
          cb();
        });
      },
    });
    // SMTPServer emits a client's socket errors on itself: unheard, one killed client ends this process.
    this.server.on('error', (err) => this.connectionErrors.push(err));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.envelopeTo.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
