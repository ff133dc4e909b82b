import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { ADVERSE_EVENT_RULES, AdverseEventRow, AnswerRow } from './adverse-event';
import type { CausalityFilter, SeriousnessFilter } from './dto/adverse-events.dto';

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

export interface PhotoRow {
  id: string;
  response_id: string;
  position: number;
  width: number;
  height: number;
  byte_size: number;
  sha256: string;
  created_at: Date;
}

/** An adverse event's row with the database's own text of its reported time (the export's keyset cursor). */
export type AdverseEventPageRow = AdverseEventRow & { cursor_at: string };

/** Flags of the adverse-event rules joined to their treatments, the clinic's only ($1; $2 the rules). */
const FROM = `FROM flags f JOIN treatments t ON t.id = f.treatment_id AND t.clinic_id = f.clinic_id WHERE f.clinic_id = $1 AND f.rule_id = ANY($2::text[])`;

/** The log's filters ($3–$9), each applying only when given; `unassessed` matches no assessment yet. */
const FILTERS = `
   AND ($3::timestamptz IS NULL OR f.created_at >= $3::timestamptz) AND ($4::timestamptz IS NULL OR f.created_at < $4::timestamptz)
   AND ($5::text IS NULL OR t.product = $5) AND ($6::text IS NULL OR t.lot_number = $6)
   AND ($7::uuid IS NULL OR t.practitioner_id = $7::uuid)
   AND ($8::text IS NULL OR CASE WHEN $8 = 'unassessed' THEN f.seriousness IS NULL ELSE f.seriousness = $8 END)
   AND ($9::text IS NULL OR CASE WHEN $9 = 'unassessed' THEN f.causality IS NULL ELSE f.causality = $9 END)`;

const SELECT = `
  SELECT f.id, f.created_at::text AS cursor_at, f.rule_id, f.rule_version, f.priority, f.status, f.reason, f.patient_id, f.treatment_id,
         f.created_at, f.acknowledged_at, f.resolved_at, f.outcome,
         f.causality, f.seriousness, f.seriousness_criteria, f.assessment_note, f.assessed_at, f.assessed_by,
         t.procedure, t.indication, t.body_areas, t.product, t.lot_number, t.technique, t.formula, t.performed_at, t.practitioner_id,
         s.name AS practitioner_name
    FROM flags f
    JOIN treatments t ON t.id = f.treatment_id AND t.clinic_id = f.clinic_id
    LEFT JOIN staff_users s ON s.id = t.practitioner_id AND s.clinic_id = f.clinic_id
   WHERE f.clinic_id = $1 AND f.rule_id = ANY($2::text[])`;

/**
 * The adverse-event log's SQL (reads only, over flags, treatments, answers and photos that their
 * features own), with typed rows. Every query takes the caller's clinic. A read model: it joins
 * those tables read-only here; a plain read of one row (the clinic's name) goes through the owner.
 */
@Injectable()
export class AdverseEventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page of the filtered log in reported order (desc: newest first), and how many match. */
  async page(clinicId: string, f: Filters, limit: number, offset: number, order: 'asc' | 'desc'): Promise<{ rows: AdverseEventRow[]; total: number }> {
    const params = paramsOf(clinicId, f);
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const [{ total }] = await queryRows<{ total: number }>(this.db, `SELECT count(*)::int AS total ${FROM} ${FILTERS}`, params);
    const rows = await queryRows<AdverseEventRow>(this.db, `${SELECT} ${FILTERS} ORDER BY f.created_at ${dir}, f.id ${dir} LIMIT $10 OFFSET $11`, [...params, limit, offset]);
    return { rows, total };
  }

  /** The next `size` events of the filtered log after the cursor (reported time as the database's text, and id), oldest first. */
  async after(clinicId: string, f: Filters, cursor: { at: string; id: string } | null, size: number): Promise<AdverseEventPageRow[]> {
    return queryRows<AdverseEventPageRow>(
      this.db,
      `${SELECT} ${FILTERS} AND ($10::timestamptz IS NULL OR (f.created_at, f.id) > ($10::timestamptz, $11::uuid)) ORDER BY f.created_at, f.id LIMIT $12`,
      [...paramsOf(clinicId, f), cursor?.at ?? null, cursor?.id ?? null, size],
    );
  }

  /** The distinct products, lots and practitioners among the clinic's adverse events (up to 500 each). */
  async facets(clinicId: string): Promise<{ products: string[]; lots: string[]; practitioners: Array<{ id: string; name: string }> }> {
    const params = [clinicId, [...ADVERSE_EVENT_RULES]];
    const products = await queryRows<{ v: string }>(this.db, `SELECT DISTINCT t.product AS v ${FROM} ORDER BY 1 LIMIT 500`, params);
    const lots = await queryRows<{ v: string }>(this.db, `SELECT DISTINCT t.lot_number AS v ${FROM} AND t.lot_number IS NOT NULL ORDER BY 1 LIMIT 500`, params);
    const practitioners = await queryRows<{ id: string; name: string }>(
      this.db,
      `SELECT s.id, s.name FROM staff_users s WHERE s.clinic_id = $1 AND s.id IN (SELECT t.practitioner_id ${FROM} AND t.practitioner_id IS NOT NULL) ORDER BY s.name, s.id`,
      params,
    );
    return { products: products.map((r) => r.v), lots: lots.map((r) => r.v), practitioners };
  }

  /** The answers behind these flags: the one that raised each and any that joined it later as evidence, oldest first. */
  async answers(clinicId: string, flagIds: string[]): Promise<AnswerRow[]> {
    return queryRows<AnswerRow>(
      this.db,
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
      [clinicId, flagIds],
    );
  }

  /** The photos of these answers. */
  async photos(clinicId: string, responseIds: string[]): Promise<PhotoRow[]> {
    return queryRows<PhotoRow>(
      this.db,
      `SELECT id, response_id, position, width, height, byte_size, sha256, created_at FROM response_photos
        WHERE clinic_id = $1 AND response_id = ANY($2::uuid[]) ORDER BY created_at, position`,
      [clinicId, responseIds],
    );
  }
}

function paramsOf(clinicId: string, f: Filters): unknown[] {
  return [
    clinicId,
    [...ADVERSE_EVENT_RULES],
    f.from ?? null,
    f.to ?? null,
    f.product ?? null,
    f.lot ?? null,
    f.practitionerId ?? null,
    f.seriousness ?? null,
    f.causality ?? null,
  ];
}
