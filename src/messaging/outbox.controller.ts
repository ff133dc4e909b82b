import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { escapeHtml, page } from '../web/layout';
import { MessagingService } from './messaging.service';

/** The dev outbox: what would have been sent, for a first run without SMTP or Twilio. */
@ApiExcludeController()
@Controller('dev/outbox')
export class OutboxController {
  constructor(
    private readonly messaging: MessagingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async list(): Promise<string> {
    // Only on a local trial (embedded database, or DEV_OUTBOX=true), and only while a channel is the outbox.
    if (!this.config.devOutbox || (this.config.smtpUrl && this.config.twilio)) {
      throw new NotFoundException('The dev outbox is off');
    }
    const rows = await this.messaging.listOutbox(200);
    const body = rows
      .map(
        (m) => `<tr><td>${escapeHtml(m.createdAt.toISOString())}</td><td>${escapeHtml(m.channel)}<br>${escapeHtml(m.purpose)}</td>
<td>${escapeHtml(m.toAddress)}</td><td>${m.subject ? `<strong>${escapeHtml(m.subject)}</strong><br>` : ''}<pre>${linkify(m.body)}</pre></td></tr>`,
      )
      .join('\n');
    return page(
      'Dev outbox',
      `<h1>Dev outbox</h1><p class="note">Messages that would have gone out by ${
        this.config.smtpUrl ? 'SMS' : this.config.twilio ? 'email' : 'email and SMS'
      }. Newest first. Configure SMTP_URL and TWILIO_* to send for real.</p>
<table><thead><tr><th>When (UTC)</th><th>Channel</th><th>To</th><th>Message</th></tr></thead><tbody>${body || '<tr><td colspan="4">Nothing yet.</td></tr>'}</tbody></table>`,
      { wide: true },
    );
  }
}

function linkify(text: string): string {
  return escapeHtml(text).replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>');
}
