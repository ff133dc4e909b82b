import { Body, Controller, Get, Header, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response as ExpressResponse } from 'express';
import { CheckInsService, TokenLookup } from '../check-ins/check-ins.service';
import { ClinicsService } from '../clinics/clinics.service';
import { Public } from '../common/principal';
import { PatientsService } from '../patients/patients.service';
import { Locale, localeFromAcceptLanguage, localeOf } from '../protocols/texts';
import { parseFormAnswers } from './form-answers';
import { closedPage, formPage, thanksPage } from './form-page';
import { ResponsesService } from './responses.service';
import { RateLimit } from '../rate-limits/rate-limit.guard';

const STATUS = { unknown: 404, answered: 410, expired: 410, closed: 410 } as const;

/** The patient's check-in form at /c/:token. Opening it changes nothing; submitting uses the token. */
@ApiExcludeController()
@RateLimit('form')
@Controller('c')
export class FormController {
  constructor(
    private readonly checkIns: CheckInsService,
    private readonly clinics: ClinicsService,
    private readonly patients: PatientsService,
    private readonly responses: ResponsesService,
  ) {}

  @Public()
  @Get(':token')
  @Header('Cache-Control', 'no-store')
  async show(@Param('token') token: string, @Headers('accept-language') acceptLanguage: string | undefined, @Res() res: ExpressResponse): Promise<void> {
    const found = await this.checkIns.lookupToken(token);
    const locale = await this.localeFor(found, acceptLanguage);
    if (found.state !== 'open') {
      html(res, STATUS[found.state], closedPage(locale, found.state));
      return;
    }
    const clinic = await this.clinics.get(found.checkIn.clinicId);
    html(res, 200, formPage({ locale, action: `/c/${token}`, clinicName: clinic.name }));
  }

  @Public()
  @Post(':token')
  @Header('Cache-Control', 'no-store')
  async submit(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res() res: ExpressResponse,
  ): Promise<void> {
    const found = await this.checkIns.lookupToken(token);
    const locale = await this.localeFor(found, acceptLanguage);
    if (found.state !== 'open') {
      html(res, STATUS[found.state], closedPage(locale, found.state));
      return;
    }
    const clinic = await this.clinics.get(found.checkIn.clinicId);
    const parsed = parseFormAnswers(body ?? {}, locale);
    if (!parsed.ok) {
      html(res, 400, formPage({ locale, action: `/c/${token}`, clinicName: clinic.name, errors: parsed.errors, values: body }));
      return;
    }
    const result = await this.responses.submitForm(token, parsed.answers);
    if (result.state !== 'stored') {
      html(res, STATUS[result.state], closedPage(locale, result.state));
      return;
    }
    html(res, 200, thanksPage(locale, clinic.name, result.safetyAdvice));
  }

  /** The patient's language once the link names a check-in; before that, the browser's. */
  private async localeFor(found: TokenLookup, acceptLanguage: string | undefined): Promise<Locale> {
    if (found.state === 'unknown') return localeFromAcceptLanguage(acceptLanguage);
    const patient = await this.patients.findById(found.checkIn.patientId);
    return localeOf(patient.locale);
  }
}

function html(res: ExpressResponse, status: number, body: string): void {
  res.status(status).type('html').send(body);
}
