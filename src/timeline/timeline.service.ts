import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { queryRows } from '../database/query-rows';
import { PhotoLink, PhotosService } from '../photos/photos.service';
import { SYMPTOMS } from '../protocols/questions';

export type TimelineType = 'treatment' | 'check_in' | 'response' | 'message' | 'flag';

export interface TimelineItem {
  at: Date;
  type: TimelineType;
  id: string;
  [summary: string]: unknown;
}

/** Tie-break for items at the same instant: the order things happen in the loop. */
const TYPE_ORDER: Record<TimelineType, number> = { treatment: 0, check_in: 1, message: 2, response: 3, flag: 4 };

/**
 * One row of the timeline's statement: `k` says what it is (p: the patient, t: treatment,
 * c: check-in, r: response, m: message, f: flag, e: a flag's history step), the other columns
 * are that kind's fields in generic slots (see the statement), null elsewhere.
 */
interface TimelineRow {
  k: 'p' | 't' | 'c' | 'r' | 'm' | 'f' | 'e';
  id: string;
  at: Date;
  ref1: string | null;
  ref2: string | null;
  ref3: string | null;
  s1: string | null;
  s2: string | null;
  s3: string | null;
  s4: string | null;
  s5: string | null;
  s6: string | null;
  s7: string | null;
  s8: string | null;
  n1: number | null;
  n2: number | null;
  n3: number | null;
  n4: number | null;
  n5: number | null;
  n6: number | null;
  n7: number | null;
  ts1: Date | null;
  ts2: Date | null;
  ts3: Date | null;
  arr: string[] | null;
  flag: boolean | null;
}

/**
 * The whole timeline in one statement, each part by its by-patient index and in its own order
 * (`o`): the patient (so another clinic's is a 404), treatments by performed_at, check-ins by
 * due_at and step, responses by received_at, messages and flags by created_at, and the flags'
 * history by time and insertion order.
 */
const TIMELINE_SQL = `
  SELECT 'p' AS k, 0::bigint AS o, p.id, p.created_at AS at, NULL::uuid AS ref1, NULL::uuid AS ref2, NULL::uuid AS ref3,
         NULL::text AS s1, NULL::text AS s2, NULL::text AS s3, NULL::text AS s4, NULL::text AS s5, NULL::text AS s6, NULL::text AS s7, NULL::text AS s8,
         NULL::int AS n1, NULL::int AS n2, NULL::int AS n3, NULL::int AS n4, NULL::int AS n5, NULL::int AS n6, NULL::int AS n7,
         NULL::timestamptz AS ts1, NULL::timestamptz AS ts2, NULL::timestamptz AS ts3, NULL::text[] AS arr, NULL::boolean AS flag
    FROM patients p WHERE p.clinic_id = $1 AND p.id = $2
  UNION ALL
  SELECT 't', row_number() OVER (ORDER BY t.performed_at), t.id, t.performed_at, NULL, NULL, NULL,
         t.procedure, t.indication, t.product, t.lot_number, t.technique, t.protocol_key, t.status, t.cancel_reason,
         t.protocol_version, NULL, NULL, NULL, NULL, NULL, NULL,
         t.cancelled_at, NULL, NULL, t.body_areas, NULL
    FROM treatments t WHERE t.clinic_id = $1 AND t.patient_id = $2
  UNION ALL
  SELECT 'c', row_number() OVER (ORDER BY c.due_at, c.step), c.id, coalesce(c.sent_at, c.due_at), c.treatment_id, NULL, NULL,
         c.status, c.channel, NULL, NULL, NULL, NULL, NULL, NULL,
         c.step, c.day_offset, NULL, NULL, NULL, NULL, NULL,
         c.due_at, c.sent_at, c.answered_at, NULL, NULL
    FROM check_ins c WHERE c.clinic_id = $1 AND c.patient_id = $2
  UNION ALL
  SELECT 'r', row_number() OVER (ORDER BY r.received_at), r.id, r.received_at, r.treatment_id, r.check_in_id, NULL,
         r.source, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         r.day_since_treatment, r.bruising, r.redness, r.itching, r.burning, r.pain, NULL,
         NULL, NULL, NULL, r.warning_signs, r.free_text IS NOT NULL AND r.free_text <> ''
    FROM responses r WHERE r.clinic_id = $1 AND r.patient_id = $2
  UNION ALL
  SELECT 'm', row_number() OVER (ORDER BY m.created_at), m.id, m.created_at, m.check_in_id, NULL, NULL,
         m.direction, m.channel, m.purpose, m.status, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL
    FROM messages m WHERE m.clinic_id = $1 AND m.patient_id = $2
  UNION ALL
  SELECT 'f', row_number() OVER (ORDER BY f.created_at), f.id, f.created_at, f.treatment_id, f.response_id, f.assignee_id,
         f.rule_id, f.priority, f.reason, f.status, f.outcome, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL
    FROM flags f WHERE f.clinic_id = $1 AND f.patient_id = $2
  UNION ALL
  SELECT 'e', row_number() OVER (ORDER BY e.at, e.seq), e.flag_id, e.at, NULL, NULL, NULL,
         e.kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL
    FROM flag_events e JOIN flags f ON f.clinic_id = $1 AND f.id = e.flag_id AND f.patient_id = $2
   WHERE e.clinic_id = $1
  ORDER BY k, o`;

/**
 * A patient's course at a glance, read in one statement as typed rows (no entities). Summaries
 * only: no message bodies, addresses or phone numbers, no free text.
 */
@Injectable()
export class TimelineService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly photos: PhotosService,
  ) {}

  /** The timeline, read by `actor`: the read is on the record (timeline.viewed) before it is answered. */
  async view(clinicId: string, patientId: string, actor: Actor): Promise<{ items: TimelineItem[] }> {
    const timeline = await this.forPatient(clinicId, patientId, actor);
    await this.audit.recordAccess({ clinicId, actor, action: 'timeline.viewed', entityType: 'patient', entityId: patientId, data: { items: timeline.items.length } });
    return timeline;
  }

  /** With `actor`, answers and texts carry their photos as short-lived links made for that actor. */
  async forPatient(clinicId: string, patientId: string, actor?: Actor): Promise<{ items: TimelineItem[] }> {
    const rows = await queryRows<TimelineRow>(this.db, TIMELINE_SQL, [clinicId, patientId]);
    if (!rows.some((r) => r.k === 'p')) throw new NotFoundException('Patient not found'); // also another clinic's
    const links = actor ? this.photos.linksFor(await this.photos.listForPatient(clinicId, patientId), actor) : [];
    const photosOf = (pick: (l: PhotoLink) => boolean) => links.filter(pick);
    const history = new Map<string, Array<{ at: Date; kind: string }>>();
    for (const r of rows) {
      if (r.k !== 'e') continue;
      const steps = history.get(r.id) ?? [];
      steps.push({ at: r.at, kind: r.s1! });
      history.set(r.id, steps);
    }
    const items: TimelineItem[] = [];
    for (const r of rows) {
      if (r.k === 't') {
        items.push({
          at: r.at,
          type: 'treatment',
          id: r.id,
          procedure: r.s1,
          indication: r.s2,
          bodyAreas: r.arr,
          product: r.s3,
          lotNumber: r.s4,
          technique: r.s5,
          protocolKey: r.s6,
          protocolVersion: r.n1,
          status: r.s7,
          cancelledAt: r.ts1,
          cancelReason: r.s8,
        });
      } else if (r.k === 'c') {
        items.push({ at: r.at, type: 'check_in', id: r.id, treatmentId: r.ref1, step: r.n1, dayOffset: r.n2, status: r.s1, channel: r.s2, dueAt: r.ts1, sentAt: r.ts2, answeredAt: r.ts3 });
      } else if (r.k === 'r') {
        const scores = [r.n2, r.n3, r.n4, r.n5, r.n6];
        items.push({
          at: r.at,
          type: 'response',
          id: r.id,
          treatmentId: r.ref1,
          checkInId: r.ref2,
          source: r.s1,
          daySinceTreatment: r.n1,
          scores: Object.fromEntries(SYMPTOMS.map((s, i) => [s, scores[i]])),
          warningSigns: r.arr,
          hasFreeText: r.flag,
          photos: photosOf((l) => l.responseId === r.id),
        });
      } else if (r.k === 'm') {
        items.push({ at: r.at, type: 'message', id: r.id, checkInId: r.ref1, direction: r.s1, channel: r.s2, purpose: r.s3, status: r.s4,
          // Photos of a text that was not an answer (an answer's photos are on the answer).
          photos: photosOf((l) => l.responseId === null && l.messageId === r.id) });
      } else if (r.k === 'f') {
        items.push({
          at: r.at,
          type: 'flag',
          id: r.id,
          treatmentId: r.ref1,
          responseId: r.ref2,
          ruleId: r.s1,
          priority: r.s2,
          reason: r.s3,
          status: r.s4,
          outcome: r.s5,
          assigneeId: r.ref3,
          history: history.get(r.id) ?? [],
        });
      }
    }
    items.sort((a, b) => a.at.getTime() - b.at.getTime() || TYPE_ORDER[a.type] - TYPE_ORDER[b.type]);
    return { items };
  }
}
