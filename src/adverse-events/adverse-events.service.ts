import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock';
import { Page } from '../common/pagination';
import { ADVERSE_EVENT_RULES, AdverseEvent, adverseEventOf, AdverseEventPhoto, AdverseEventRow, answerOf, AnswerRow } from './adverse-event';
import { AdverseEventFilters, CausalityFilter, ExportFormat, SeriousnessFilter } from './dto/adverse-events.dto';
import { AuditRow } from './fhir';

/** Filters after parsing: dates as dates. */
export interface Filters {
  from?: Date;
  to?: Date;
  product?: string;
  lot?: string;
  practitionerId?: string;
  seriousness?: SeriousnessFilter;
  causality?: CausalityFilter;
}

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
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
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
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const { where, params } = this.whereOf(clinicId, filters);
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM flags f JOIN treatments t ON t.id = f.treatment_id AND t.clinic_id = f.clinic_id WHERE ${where}`, params);
    const rows: AdverseEventRow[] = await this.db.query(
      `${SELECT} WHERE ${where} ORDER BY f.created_at ${dir}, f.id ${dir} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
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
      const { where, params } = this.whereOf(clinicId, filters);
      let sql = `${SELECT} WHERE ${where}`;
      if (after) {
        params.push(after.at, after.id);
        sql += ` AND (f.created_at, f.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
      }
      params.push(size);
      const rows: Array<AdverseEventRow & { cursor_at: string }> = await this.db.query(`${sql} ORDER BY f.created_at, f.id LIMIT $${params.length}`, params);
      if (!rows.length) return;
      const events = await this.withAnswers(clinicId, rows);
      const audit = opts.withAudit ? await this.audit.listAbout(clinicId, rows.map((r) => r.id)) : [];
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

  private whereOf(clinicId: string, f: Filters): { where: string; params: unknown[] } {
    const params: unknown[] = [clinicId, [...ADVERSE_EVENT_RULES]];
    const parts = ['f.clinic_id = $1', 'f.rule_id = ANY($2::text[])'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      parts.push(sql(`$${params.length}`));
    };
    if (f.from) add((n) => `f.created_at >= ${n}::timestamptz`, f.from);
    if (f.to) add((n) => `f.created_at < ${n}::timestamptz`, f.to);
    if (f.product) add((n) => `t.product = ${n}`, f.product);
    if (f.lot) add((n) => `t.lot_number = ${n}`, f.lot);
    if (f.practitionerId) add((n) => `t.practitioner_id = ${n}::uuid`, f.practitionerId);
    if (f.seriousness === 'unassessed') parts.push('f.seriousness IS NULL');
    else if (f.seriousness) add((n) => `f.seriousness = ${n}`, f.seriousness);
    if (f.causality === 'unassessed') parts.push('f.causality IS NULL');
    else if (f.causality) add((n) => `f.causality = ${n}`, f.causality);
    return { where: parts.join(' AND '), params };
  }

  /** What the log's filters can choose from: the products, lots and practitioners among the clinic's adverse events. */
  async facets(clinicId: string): Promise<{ products: string[]; lots: string[]; practitioners: Array<{ id: string; name: string }> }> {
    const base = `FROM flags f JOIN treatments t ON t.id = f.treatment_id AND t.clinic_id = f.clinic_id WHERE f.clinic_id = $1 AND f.rule_id = ANY($2::text[])`;
    const params = [clinicId, [...ADVERSE_EVENT_RULES]];
    const products: Array<{ v: string }> = await this.db.query(`SELECT DISTINCT t.product AS v ${base} ORDER BY 1 LIMIT 500`, params);
    const lots: Array<{ v: string }> = await this.db.query(`SELECT DISTINCT t.lot_number AS v ${base} AND t.lot_number IS NOT NULL ORDER BY 1 LIMIT 500`, params);
    const practitioners: Array<{ id: string; name: string }> = await this.db.query(
      `SELECT s.id, s.name FROM staff_users s WHERE s.clinic_id = $1 AND s.id IN (SELECT t.practitioner_id ${base} AND t.practitioner_id IS NOT NULL) ORDER BY s.name, s.id`,
      params,
    );
    return { products: products.map((r) => r.v), lots: lots.map((r) => r.v), practitioners };
  }

  /**
   * The download's file name: the clinic's name and the period, e.g.
   * `adverse-events_clinic-del-sol_2026-03-01_to_2026-04-01.csv` (the period's ends as UTC dates,
   * `to` exclusive as in the filter; `start` when open at the beginning). ASCII only, with an
   * RFC 5987 `filename*` beside it carrying the clinic's name as written.
   */
  async fileName(clinicId: string, filters: Filters, ext: string): Promise<{ ascii: string; utf8: string }> {
    const [clinic] = await this.db.query(`SELECT name FROM clinics WHERE id = $1`, [clinicId]);
    const name: string = clinic?.name ?? 'clinic';
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
    const answers: AnswerRow[] = await this.db.query(
      `SELECT x.flag_id, r.id, r.source, r.received_at, r.day_since_treatment, r.bruising, r.redness, r.itching, r.burning, r.pain, r.warning_signs
         FROM (
           SELECT f.id AS flag_id, f.response_id FROM flags f
            WHERE f.clinic_id = $1 AND f.id = ANY($2::uuid[]) AND f.response_id IS NOT NULL
           UNION
           SELECT e.flag_id, (e.data->>'responseId')::uuid FROM flag_events e
            WHERE e.clinic_id = $1 AND e.flag_id = ANY($2::uuid[]) AND e.kind = 'evidence_added'
              AND e.data->>'responseId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
         ) x
         JOIN responses r ON r.id = x.response_id AND r.clinic_id = $1
        ORDER BY r.received_at, r.id`,
      [clinicId, ids],
    );
    const byFlag = new Map<string, AnswerRow[]>();
    for (const a of answers) byFlag.set(a.flag_id, [...(byFlag.get(a.flag_id) ?? []), a]);
    const photos: Array<{ id: string; response_id: string; position: number; width: number; height: number; byte_size: number; sha256: string; created_at: Date }> = answers.length
      ? await this.db.query(
          `SELECT id, response_id, position, width, height, byte_size, sha256, created_at FROM response_photos
            WHERE clinic_id = $1 AND response_id = ANY($2::uuid[]) ORDER BY created_at, position`,
          [clinicId, [...new Set(answers.map((a) => a.id))]],
        )
      : [];
    const photosOf = (responseId: string): AdverseEventPhoto[] =>
      photos
        .filter((p) => p.response_id === responseId)
        .map((p) => ({ id: p.id, position: p.position, width: p.width, height: p.height, byteSize: p.byte_size, sha256: p.sha256, createdAt: new Date(p.created_at) }));
    return rows.map((r) => adverseEventOf(r, (byFlag.get(r.id) ?? []).map((a) => ({ ...answerOf(a), photos: photosOf(a.id) }))));
  }


}

const SELECT = `
  SELECT f.id, f.created_at::text AS cursor_at, f.rule_id, f.rule_version, f.priority, f.status, f.reason, f.patient_id, f.treatment_id,
         f.created_at, f.acknowledged_at, f.resolved_at, f.outcome,
         f.causality, f.seriousness, f.seriousness_criteria, f.assessment_note, f.assessed_at, f.assessed_by,
         t.procedure, t.indication, t.body_areas, t.product, t.lot_number, t.technique, t.formula, t.performed_at, t.practitioner_id,
         s.name AS practitioner_name
    FROM flags f
    JOIN treatments t ON t.id = f.treatment_id AND t.clinic_id = f.clinic_id
    LEFT JOIN staff_users s ON s.id = t.practitioner_id AND s.clinic_id = f.clinic_id`;
