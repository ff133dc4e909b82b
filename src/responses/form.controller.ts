import { Controller, Get, Header, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import multer from 'multer';
import type { TokenLookup } from '../check-ins/check-in-tokens.service';
import { CheckInsService } from '../check-ins/check-ins.service';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { Public } from '../common/principal';
import { PatientsService } from '../patients/patients.service';
import { Locale, localeFromAcceptLanguage, localeOf } from '../protocols/texts';
import { parseFormAnswers } from './form-answers';
import { closedPage, formPage, thanksPage } from './form-page';
import { ResponsesService } from './responses.service';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoRefused } from '../photos/image';
import { PhotosService } from '../photos/photos.service';
import { textsFor } from '../protocols/texts';

/**
 * The form's body: fields and up to MAX_PHOTOS files named "photos", read into memory (10 MB
 * each at most, so 30 MB a request). A form posted without files (urlencoded) passes through.
 */
const readUpload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS, fields: 40, fieldSize: 16 * 1024, parts: 40 + MAX_PHOTOS },
}).array('photos', MAX_PHOTOS);

type UploadOutcome = { ok: true; files: Buffer[] } | { ok: false; kind: PhotoRefused['kind'] | 'fields' };

function readForm(req: ExpressRequest, res: ExpressResponse): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    readUpload(req, res, (err: unknown) => {
      if (!err) {
        const files = ((req as ExpressRequest & { files?: Express.Multer.File[] }).files ?? []).map((f) => f.buffer);
        return resolve({ ok: true, files });
      }
      const code = (err as { code?: string }).code;
      const field = (err as { field?: string }).field;
      if (code === 'LIMIT_FILE_SIZE') return resolve({ ok: false, kind: 'size' });
      if (code === 'LIMIT_FILE_COUNT' || (code === 'LIMIT_UNEXPECTED_FILE' && field === 'photos')) return resolve({ ok: false, kind: 'count' });
      resolve({ ok: false, kind: 'fields' });
    });
  });
}

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
    private readonly photos: PhotosService,
  ) {}

  @Public()
  @Get(':token')
  @Header('Cache-Control', 'no-store')
  async show(@Param('token') token: string, @Headers('accept-language') acceptLanguage: string | undefined, @Res() res: ExpressResponse): Promise<void> {
    const open = await this.openForm(token, acceptLanguage, res);
    if (open) html(res, 200, formPage({ locale: open.locale, action: `/c/${token}`, clinicName: open.clinic.name }));
  }

  @Public()
  @Post(':token')
  @Header('Cache-Control', 'no-store')
  async submit(
    @Param('token') token: string,
    @Req() req: ExpressRequest,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res() res: ExpressResponse,
  ): Promise<void> {
    // The whole body is read first (the photos with it), so a refusal can answer at once.
    const upload = await readForm(req, res);
    const body = { ...((req.body as Record<string, unknown> | undefined) ?? {}) };
    const open = await this.openForm(token, acceptLanguage, res);
    if (!open) return;
    const { locale, clinic } = open;
    const refuse = (status: number, errors: string[]) => html(res, status, formPage({ locale, action: `/c/${token}`, clinicName: clinic.name, errors, values: body }));
    const t = textsFor(locale);
    if (!upload.ok) {
      // Nothing is stored: the answers come back filled in, the photos must be chosen again.
      const why = upload.kind === 'fields' ? t.formErrors.unknownFields : t.photos.refused[upload.kind];
      refuse(upload.kind === 'size' ? 413 : 400, upload.kind === 'fields' ? [why] : [why, t.photos.again]);
      return;
    }
    const parsed = parseFormAnswers(body, locale);
    if (!parsed.ok) {
      refuse(400, upload.files.length ? [...parsed.errors, t.photos.again] : parsed.errors);
      return;
    }
    let photos;
    try {
      photos = await this.photos.prepare(upload.files);
    } catch (err) {
      if (!(err instanceof PhotoRefused)) throw err;
      refuse(err.kind === 'size' ? 413 : err.kind === 'type' ? 415 : 400, [t.photos.refused[err.kind], t.photos.again]);
      return;
    }
    const result = await this.responses.submitForm(token, parsed.answers, photos);
    if (result.state !== 'stored') {
      html(res, STATUS[result.state], closedPage(locale, result.state));
      return;
    }
    html(res, 200, thanksPage(locale, clinic.name, result.safetyAdvice));
  }

  /** The link's check-in still open, in the patient's language with its clinic; otherwise the closed page is sent and null returned. */
  private async openForm(token: string, acceptLanguage: string | undefined, res: ExpressResponse): Promise<{ locale: Locale; clinic: Clinic } | null> {
    const found = await this.checkIns.lookupToken(token);
    const locale = await this.localeFor(found, acceptLanguage);
    if (found.state !== 'open') {
      html(res, STATUS[found.state], closedPage(locale, found.state));
      return null;
    }
    return { locale, clinic: await this.clinics.get(found.checkIn.clinicId) };
  }

  /** The patient's language once the link names a check-in; before that, the browser's. */
  private async localeFor(found: TokenLookup, acceptLanguage: string | undefined): Promise<Locale> {
    if (found.state === 'unknown') return localeFromAcceptLanguage(acceptLanguage);
    const patient = await this.patients.get(found.checkIn.clinicId, found.checkIn.patientId);
    return localeOf(patient.locale);
  }
}

function html(res: ExpressResponse, status: number, body: string): void {
  res.status(status).type('html').send(body);
}
