import { Controller, Get, Header, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { escapeHtml, page } from '../web/layout';
import { PatientsService } from './patients.service';
import { patientIdFromUnsubscribeToken } from './unsubscribe-token';
import { RateLimit } from '../rate-limits/rate-limit.guard';

/**
 * Email unsubscribe without a login or cookie. POST is the one-click action mail clients send
 * (RFC 8058, `List-Unsubscribe=One-Click`); GET only shows a button, since scanners open links.
 */
@ApiExcludeController()
@RateLimit('form')
@Controller('u')
export class UnsubscribeController {
  constructor(
    private readonly patients: PatientsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get(':token')
  @Header('Cache-Control', 'no-store')
  show(@Param('token') token: string, @Res() res: Response): void {
    if (!patientIdFromUnsubscribeToken(token, this.config.jwtSecret)) {
      res.status(404).type('html').send(page('Link not found', '<h1>Link not found</h1><p>This unsubscribe link is not valid.</p>'));
      return;
    }
    res
      .status(200)
      .type('html')
      .send(
        page(
          'Stop emails',
          `<h1>Stop follow-up emails?</h1><p>You will get no more emails about your treatment. Your clinic can still call you.</p>
<form method="post" action="/u/${escapeHtml(token)}"><button type="submit">Stop emails</button></form>`,
        ),
      );
  }

  @Public()
  @Post(':token')
  @HttpCode(200)
  async unsubscribe(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const patientId = patientIdFromUnsubscribeToken(token, this.config.jwtSecret);
    if (!patientId || !(await this.patients.unsubscribeEmail(patientId))) {
      res.status(404).type('html').send(page('Link not found', '<h1>Link not found</h1><p>This unsubscribe link is not valid.</p>'));
      return;
    }
    res.status(200).type('html').send(page('Unsubscribed', '<h1>You are unsubscribed</h1><p>You will get no more follow-up emails.</p>'));
  }
}
