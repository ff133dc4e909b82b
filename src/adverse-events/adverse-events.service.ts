import { BadRequestException, Injectable } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service';
import { AuditService } from '../audit/audit.service';
import { ClinicsService } from '../clinics/clinics.service';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock';
import { Page } from '../common/pagination';
import { AdverseEvent, adverseEventOf, AdverseEventPhoto, AdverseEventRow, answerOf, AnswerRow } from './adverse-event';
import { AdverseEventsRepository, Filters } from './adverse-events.repository';
import { AdverseEventFilters, ExportFormat } from './dto/adverse-events.dto';
import { AuditRow } from './fhir';

export type { Filters } from './adverse-events.repository';

export interface ExportPage {
  events: AdverseEvent[];
  /** The audit-log events about this page's flags, in chain order (FHIR export only). */
  audit: AuditRow[];
}

const EXPORT_PAGE_SIZE = 200;

/**
 * The adverse-event log: a read model over flags from the clinical rules, their treatments and
 * the answers behind them (reads only; flags, treatments and responses stay owned by their
 * services). Every query is scoped by the caller's clinic.
 */
@Injectable()
export class AdverseEventsService {
  constructor(
    private readonly repo: AdverseEventsRepository,
    private readonly audit: AuditService,
    private readonly auditLog: AuditLogService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
  ) {}

  parseFilters(q: AdverseEventFilters): Filters {
    const f: Filters = { product: q.product, lot: q.lot, practitionerId: q.practitionerId, seriousness: q.seriousness, causality: q.causality };
    if (q.from) f.from = new Date(q.from);
    if (q.to) f.to = new Date(q.to);
    if (f.from && Number.isNaN(f.from.getTime())) throw new BadRequestException('from is not a valid date');
    if (f.to && Number.isNaN(f.to.getTime())) throw new BadRequestException('to is not a valid date');
    if (f.from && f.to && f.from >= f.to) throw new BadRequestException('from must be before to');
    return f;
  }

  /** One page of the log, oldest report first (or newest first with `order` desc). */
  async list(clinicId: string, filters: Filters, limit: number, offset: number, order: 'asc' | 'desc' = 'asc'): Promise<Page<AdverseEvent>> {
    const { rows, total } = await this.repo.page(clinicId, filters, limit, offset, order);
    return { items: await this.withAnswers(clinicId, rows), total, limit, offset };
  }

  /**
   * The whole period page by page (keyset on reported time and id), so an export never holds
   * more than one page in memory.
   */
  async *pages(clinicId: string, filters: Filters, opts: { withAudit: boolean; pageSize?: number }): AsyncGenerator<ExportPage> {
    const size = opts.pageSize ?? EXPORT_PAGE_SIZE;
    // The cursor keeps the database's own text of the time: microseconds survive the round trip.
    let after: { at: string; id: string } | null = null;
    for (;;) {
      const rows = await this.repo.after(clinicId, filters, after, size);
      if (!rows.length) return;
      const events = await this.withAnswers(clinicId, rows);
      const audit = opts.withAudit ? await this.auditLog.listAbout(clinicId, rows.map((r) => r.id)) : [];
      yield { events, audit };
      if (rows.length < size) return;
      const last = rows[rows.length - 1];
      after = { at: last.cursor_at, id: last.id };
    }
  }

  /**
   * The export is on the record before the first byte leaves. An open-ended period is closed just
   * after now (`to` is exclusive), so what the audit event says is exactly what was exported.
   */
  async recordExport(clinicId: string, actor: Actor, format: ExportFormat, filters: Filters): Promise<Filters> {
    const fixed: Filters = { ...filters, to: filters.to ?? new Date(this.clock.now().getTime() + 1) };
    await this.audit.recordAccess({
      clinicId,
      actor,
      action: 'adverse_events.exported',
      entityType: 'adverse_events',
      entityId: null,
      data: {
        format,
        filters: {
          from: fixed.from?.toISOString() ?? null,
          to: fixed.to!.toISOString(),
          product: fixed.product ?? null,
          lot: fixed.lot ?? null,
          practitionerId: fixed.practitionerId ?? null,
          seriousness: fixed.seriousness ?? null,
          causality: fixed.causality ?? null,
        },
      },
    });
    return fixed;
  }

  /** What the log's filters can choose from: the products, lots and practitioners among the clinic's adverse events. */
  facets(clinicId: string): Promise<{ products: string[]; lots: string[]; practitioners: Array<{ id: string; name: string }> }> {
    return this.repo.facets(clinicId);
  }

  /**
   * The download's file name: the clinic's name and the period, e.g.
   * `adverse-events_clinic-del-sol_2026-03-01_to_2026-04-01.csv` (the period's ends as UTC dates,
   * `to` exclusive as in the filter; `start` when open at the beginning). ASCII only, with an
   * RFC 5987 `filename*` beside it carrying the clinic's name as written.
   */
  async fileName(clinicId: string, filters: Filters, ext: string): Promise<{ ascii: string; utf8: string }> {
    const { name } = await this.clinics.get(clinicId);
    const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : 'start');
    const period = `${day(filters.from)}_to_${day(filters.to)}`;
    const clean = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, '').replace(/\s+/g, '-').slice(0, 80) || 'clinic';
    const ascii = clean(name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '')).toLowerCase();
    return { ascii: `adverse-events_${ascii}_${period}.${ext}`, utf8: `adverse-events_${clean(name)}_${period}.${ext}` };
  }

  /** The answers behind each flag: the one that raised it and any that joined it later as evidence. */
  private async withAnswers(clinicId: string, rows: AdverseEventRow[]): Promise<AdverseEvent[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const answers = await this.repo.answers(clinicId, ids);
    const byFlag = new Map<string, AnswerRow[]>();
    for (const a of answers) byFlag.set(a.flag_id, [...(byFlag.get(a.flag_id) ?? []), a]);
    const photos = answers.length ? await this.repo.photos(clinicId, [...new Set(answers.map((a) => a.id))]) : [];
    const photosOf = (responseId: string): AdverseEventPhoto[] =>
      photos
        .filter((p) => p.response_id === responseId)
        .map((p) => ({ id: p.id, position: p.position, width: p.width, height: p.height, byteSize: p.byte_size, sha256: p.sha256, createdAt: new Date(p.created_at) }));
    return rows.map((r) => adverseEventOf(r, (byFlag.get(r.id) ?? []).map((a) => ({ ...answerOf(a), photos: photosOf(a.id) }))));
  }

}
