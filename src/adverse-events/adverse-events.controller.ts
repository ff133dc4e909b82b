import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { Page, PageOf, pageOf } from '../common/pagination';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AdverseEventsService } from './adverse-events.service';
import { AdverseEventDto, AdverseEventFacetsDto, toAdverseEventDto } from './dto/adverse-event-response.dto';
import { ExportAdverseEventsQuery, ListAdverseEventsQuery } from './dto/adverse-events.dto';
import { writeCsv, writeFhirBundle } from './export-writer';

@ApiTags('adverse-events')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/adverse-events')
export class AdverseEventsController {
  private readonly logger = new Logger('AdverseEventsExport');

  constructor(
    private readonly adverseEvents: AdverseEventsService,
    private readonly clock: Clock,
  ) {}

  /** Flagged reactions with the answers behind them, assessment, dates and the treatment; no contact details. */
  @Allow('compliance', 'admin', 'practitioner')
  @Get()
  @ApiOkResponse({ type: PageOf(AdverseEventDto) })
  @ApiErrorResponses(400)
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListAdverseEventsQuery): Promise<Page<AdverseEventDto>> {
    const { take, skip } = pageOf(q);
    const page = await this.adverseEvents.list(p.clinicId, this.adverseEvents.parseFilters(q), take, skip, q.sort ?? 'asc');
    return { ...page, items: page.items.map(toAdverseEventDto) };
  }

  /** The products, lots and practitioners among the clinic's adverse events: what the log's filters offer. */
  @Allow('compliance', 'admin', 'practitioner')
  @Get('facets')
  @ApiOkResponse({ type: AdverseEventFacetsDto })
  facets(@CurrentPrincipal() p: Principal): Promise<AdverseEventFacetsDto> {
    return this.adverseEvents.facets(p.clinicId);
  }

  /**
   * The whole filtered log as CSV or a FHIR R4 Bundle, streamed page by page (AuditEvent
   * resources only for compliance and admins, who may read the audit log). The export is
   * audited (format and filters, an open period closed at now) before the first byte is sent.
   */
  @Allow('compliance', 'admin', 'practitioner')
  @Get('export')
  @ApiOkResponse({
    description: 'A download (Content-Disposition: attachment; the file name says the clinic and the period), streamed page by page',
    content: {
      'text/csv': { schema: { type: 'string', description: 'One row per event, with a header row' } },
      'application/fhir+json': { schema: { type: 'object', description: 'A FHIR R4 Bundle (type collection) of AdverseEvent, QuestionnaireResponse and AuditEvent resources' } },
    },
  })
  @ApiErrorResponses(400)
  async export(@CurrentPrincipal() p: Principal, @Query() q: ExportAdverseEventsQuery, @Res() res: Response): Promise<void> {
    const filters = await this.adverseEvents.recordExport(p.clinicId, actorOf(p), q.format, this.adverseEvents.parseFilters(q));
    const now = this.clock.now();
    const file = await this.adverseEvents.fileName(p.clinicId, filters, q.format === 'csv' ? 'csv' : 'fhir.json');
    const disposition = `attachment; filename="${file.ascii}"; filename*=UTF-8''${encodeURIComponent(file.utf8)}`;
    // AuditEvent resources are the audit log, which practitioners may not read: theirs leave them out.
    const pages = this.adverseEvents.pages(p.clinicId, filters, { withAudit: q.format === 'fhir' && (p.role === 'compliance' || p.role === 'admin') });
    res.status(200);
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
      res.setHeader('Content-Disposition', disposition);
    } else {
      res.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
      res.setHeader('Content-Disposition', disposition);
    }
    try {
      if (q.format === 'csv') await writeCsv(res, pages);
      else await writeFhirBundle(res, randomUUID(), now, pages);
      res.end();
    } catch (err) {
      // Half an export must not look like a whole one: cut the connection instead of ending it cleanly.
      if (res.destroyed) this.logger.warn(`export stopped: the client went away`);
      else this.logger.error(err instanceof Error ? err.stack : String(err));
      res.destroy();
    }
  }
}
