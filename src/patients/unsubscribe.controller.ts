import { Controller, Get, Header, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { localeFromAcceptLanguage, localeOf, textsFor } from '../protocols/texts';
import { escapeHtml, page } from '../web/layout';
import { PatientsService } from './patients.service';
import { patientIdFromUnsubscribeToken } from './unsubscribe-token';
import { RateLimit } from '../rate-limits/rate-limit.guard';

/**
 * Email unsubscribe without a login or cookie. POST is the one-click action mail clients send
 * (RFC 8058, `List-Unsubscribe=One-Click`); GET only shows a button, since scanners open links.
 * The page is in the patient's language; a link that matches no one, in the browser's.
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
  async show(@Param('token') token: string, @Headers('accept-language') acceptLanguage: string | undefined, @Res() res: Response): Promise<void> {
    const patientId = patientIdFromUnsubscribeToken(token, this.config.jwtSecret);
    const locale = patientId ? await this.patients.localeOf(patientId) : null;
    if (!patientId || !locale) return this.notFound(res, acceptLanguage);
    const lang = localeOf(locale);
    const t = textsFor(lang).unsubscribe;
    res
      .status(200)
      .type('html')
      .send(
        page(
          t.title,
          `<h1>${escapeHtml(t.heading)}</h1><p>${escapeHtml(t.text)}</p>
<form method="post" action="/u/${escapeHtml(token)}"><button type="submit">${escapeHtml(t.button)}</button></form>`,
          { lang },
        ),
      );
  }

  @Public()
  @Post(':token')
  @HttpCode(200)
  async unsubscribe(@Param('token') token: string, @Headers('accept-language') acceptLanguage: string | undefined, @Res() res: Response): Promise<void> {
    const patientId = patientIdFromUnsubscribeToken(token, this.config.jwtSecret);
    if (!patientId || !(await this.patients.unsubscribeEmail(patientId))) return this.notFound(res, acceptLanguage);
    const lang = localeOf(await this.patients.localeOf(patientId));
    const t = textsFor(lang).unsubscribe;
    res.status(200).type('html').send(page(t.doneTitle, `<h1>${escapeHtml(t.doneTitle)}</h1><p>${escapeHtml(t.doneText)}</p>`, { lang }));
  }

  private notFound(res: Response, acceptLanguage: string | undefined): void {
    const lang = localeFromAcceptLanguage(acceptLanguage);
    const t = textsFor(lang).unsubscribe;
    res.status(404).type('html').send(page(t.notFoundTitle, `<h1>${escapeHtml(t.notFoundTitle)}</h1><p>${escapeHtml(t.notFoundText)}</p>`, { lang }));
  }
}
