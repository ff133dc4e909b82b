import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';
import { lockKey } from '../database/advisory-lock';
import { queryRows, queryPrepared } from '../database/query-rows';
import { FlagCase } from './flag-case.entity';
import { FlagEvent, FlagEventKind } from './flag-event.entity';
import { Flag, FlagStatus } from './flag.entity';
import { PRIORITY_RANK } from './rules';

/**
 * Every query on flags, flag_events and flag_cases: raw SQL with `$n` parameters and typed rows
 * (TypeORM's repository API only for an insert or a save by primary key). Every query that reads
 * or writes a clinic's flags takes the clinic id, except escalation's scan of all clinics.
 * Other features' tables appear only as read joins (queue page, escalation scan): one statement.
 */

/** A flag's columns under its entity's property names: rows of `SELECT ${FLAG_COLUMNS}` are Flags. */
const FLAG_COLUMNS = `f.id, f.clinic_id AS "clinicId", f.patient_id AS "patientId", f.treatment_id AS "treatmentId",
  f.response_id AS "responseId", f.message_id AS "messageId", f.case_id AS "caseId", f.rule_id AS "ruleId",
  f.rule_version AS "ruleVersion", f.priority, f.reason, f.evidence, f.status, f.assignee_id AS "assigneeId",
  f.acknowledged_at AS "acknowledgedAt", f.acknowledged_by AS "acknowledgedBy", f.resolved_at AS "resolvedAt",
  f.resolved_by AS "resolvedBy", f.outcome, f.note, f.causality, f.seriousness, f.seriousness_criteria AS "seriousnessCriteria",
  f.assessment_note AS "assessmentNote", f.assessed_at AS "assessedAt", f.assessed_by AS "assessedBy",
  f.created_at AS "createdAt", f.updated_at AS "updatedAt"`;

const EVENT_COLUMNS = `e.id, e.flag_id AS "flagId", e.clinic_id AS "clinicId", e.at, e.actor_type AS "actorType", e.actor_id AS "actorId", e.kind, e.data`;

/**
 * The unresolved (open or acknowledged) flag of this treatment and rule, of the clinic ($1–$3):
 * at most one, by the unique index flags_one_open_per_treatment_rule.
 */
const UNRESOLVED_OF_TREATMENT_RULE = `f.clinic_id = $1 AND f.treatment_id = $2 AND f.rule_id = $3 AND f.status <> 'resolved'`;

/** A priority's stored rank (urgent 0 … low 3), in SQL. */
const PRIORITY_RANK_SQL = `CASE f.priority ${Object.entries(PRIORITY_RANK)
  .map(([priority, rank]) => `WHEN '${priority}' THEN ${rank}`)
  .join(' ')} END`;

const NO_COURSE = '00000000-0000-0000-0000-000000000000';

export interface TreatmentRule {
  clinicId: string;
  treatmentId: string;
  ruleId: string;
}

/** What the case queue is filtered by; `assigneeId: null` means unassigned. */
export interface CaseFilter {
  statuses: Array<'open' | 'acknowledged' | 'resolved'>;
  priority?: Flag['priority'];
  assigneeId?: string | null;
  ruleId?: string;
}

/** One row of the queue's statement: a flag of a case of the page (or the one row of an empty page). */
export interface QueueRow {
  counts: number[] | null;
  total: number | null;
  timeZone: string | null;
  id: string | null;
  status: FlagCase['status'];
  priority: Flag['priority'];
  waitingSince: Date;
  patientId: string;
  givenName: string;
  familyName: string;
  birthYear: number | null;
  treatmentId: string | null;
  procedure: string | null;
  product: string | null;
  performedAt: Date | null;
  assigneeId: string | null;
  assigneeName: string | null;
  flagId: string | null;
  ruleId: string | null;
  flagPriority: Flag['priority'] | null;
  flagStatus: Flag['status'] | null;
  reason: string | null;
  createdAt: Date | null;
  responseId: string | null;
  messageId: string | null;
  evidenceHistory: unknown;
}

/** An open urgent or high flag due for escalation, and when it reached its priority. */
export interface DueFlag {
  id: string;
  clinicId: string;
  reachedAt: Date;
}

@Injectable()
export class FlagsRepository {
  // --- Flags ---

  /** The unresolved flag of this treatment and rule (locked with `lock`), other than `exceptId`. */
  async unresolvedOf(manager: EntityManager, key: TreatmentRule, opts: { lock?: boolean; exceptId?: string } = {}): Promise<Flag | null> {
    const params: unknown[] = [key.clinicId, key.treatmentId, key.ruleId];
    const except = opts.exceptId ? ` AND f.id <> $${params.push(opts.exceptId)}::uuid` : '';
    const [flag] = await queryRows<Flag>(manager, `SELECT ${FLAG_COLUMNS} FROM flags f WHERE ${UNRESOLVED_OF_TREATMENT_RULE}${except} LIMIT 1${opts.lock ? ' FOR UPDATE' : ''}`, params);
    return flag ?? null;
  }

  /**
   * One key per treatment (not per rule): an answer raising several rules takes it once (the lock
   * is re-entrant), so two answers cannot deadlock on rule order; reopen takes it too.
   */
  lockTreatmentFlags(manager: EntityManager, treatmentId: string): Promise<void> {
    return lockKey(manager, `flags:treatment:${treatmentId}`);
  }

  /**
   * Every change to a patient's flags takes this first (raising, triage steps, case actions), then
   * treatment locks and flag rows: the case rows are written last, in one order everywhere.
   */
  lockPatientCases(manager: EntityManager, patientId: string): Promise<void> {
    return lockKey(manager, `flags:cases:${patientId}`);
  }

  insert(manager: EntityManager, fields: Partial<Flag>): Promise<Flag> {
    const repo = manager.getRepository(Flag);
    return repo.save(repo.create(fields));
  }

  /** Writes the flag's changed fields (by primary key); the caller has set `updatedAt` from the Clock. */
  save(manager: EntityManager, flag: Flag): Promise<Flag> {
    return manager.getRepository(Flag).save(flag);
  }

  async touch(manager: EntityManager, clinicId: string, flagId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE flags SET updated_at = $3 WHERE clinic_id = $1 AND id = $2`, [clinicId, flagId, now]);
  }

  async find(manager: EntityManager, clinicId: string, id: string, opts: { lock?: boolean } = {}): Promise<Flag | null> {
    const [flag] = await queryRows<Flag>(manager, `SELECT ${FLAG_COLUMNS} FROM flags f WHERE f.clinic_id = $1 AND f.id = $2${opts.lock ? ' FOR UPDATE' : ''}`, [clinicId, id]);
    return flag ?? null;
  }

  /** Whose flag it is, read without a lock (the patient's case lock comes before the flag's row). */
  async patientOf(manager: EntityManager, clinicId: string, id: string): Promise<string | null> {
    const [row] = await queryRows<{ patientId: string }>(manager, `SELECT patient_id AS "patientId" FROM flags WHERE clinic_id = $1 AND id = $2`, [clinicId, id]);
    return row?.patientId ?? null;
  }

  /** A page of the clinic's flags: most urgent first, newest first within a priority. */
  async page(manager: EntityManager, clinicId: string, filter: { status?: FlagStatus; priority?: Flag['priority'] }, take: number, skip: number): Promise<{ items: Flag[]; total: number }> {
    const params: unknown[] = [clinicId];
    const where = ['f.clinic_id = $1'];
    if (filter.status) where.push(`f.status = $${params.push(filter.status)}`);
    if (filter.priority) where.push(`f.priority = $${params.push(filter.priority)}`);
    const cond = where.join(' AND ');
    const items = await queryRows<Flag>(manager, `SELECT ${FLAG_COLUMNS} FROM flags f WHERE ${cond} ORDER BY ${PRIORITY_RANK_SQL}, f.created_at DESC LIMIT ${Number(take)} OFFSET ${Number(skip)}`, params);
    const [count] = await queryRows<{ n: number }>(manager, `SELECT count(*)::int AS n FROM flags f WHERE ${cond}`, params);
    return { items, total: count.n };
  }

  /** The patient's flags, oldest first. */
  ofPatient(manager: EntityManager, clinicId: string, patientId: string): Promise<Flag[]> {
    return queryRows<Flag>(manager, `SELECT ${FLAG_COLUMNS} FROM flags f WHERE f.clinic_id = $1 AND f.patient_id = $2 ORDER BY f.created_at`, [clinicId, patientId]);
  }

  /** The flags of these cases, oldest first; only the unresolved ones with `unresolvedOnly`. */
  ofCases(manager: EntityManager, clinicId: string, caseIds: string[], unresolvedOnly: boolean): Promise<Flag[]> {
    return queryRows<Flag>(
      manager,
      `SELECT ${FLAG_COLUMNS} FROM flags f WHERE f.clinic_id = $1 AND f.case_id = ANY($2::uuid[])${unresolvedOnly ? ` AND f.status <> 'resolved'` : ''} ORDER BY f.created_at, f.id`,
      [clinicId, caseIds],
    );
  }

  // --- Flag history ---

  async insertEvent(manager: EntityManager, flag: Pick<Flag, 'id' | 'clinicId'>, actor: Actor, kind: FlagEventKind, at: Date, data: Record<string, unknown>): Promise<void> {
    const repo = manager.getRepository(FlagEvent);
    await repo.save(repo.create({ flagId: flag.id, clinicId: flag.clinicId, at, actorType: actor.type, actorId: actor.id, kind, data }));
  }

  /** Events per flag id, in time order (insertion order within one instant). */
  async historyOf(manager: EntityManager, clinicId: string, flagIds: string[]): Promise<FlagEvent[][]> {
    if (!flagIds.length) return [];
    const events = await queryRows<FlagEvent>(manager, `SELECT ${EVENT_COLUMNS} FROM flag_events e WHERE e.clinic_id = $1 AND e.flag_id = ANY($2::uuid[]) ORDER BY e.at, e.seq`, [clinicId, flagIds]);
    return flagIds.map((id) => events.filter((e) => e.flagId === id));
  }

  // --- Cases ---

  async findCase(manager: EntityManager, clinicId: string, id: string): Promise<FlagCase | null> {
    return manager.getRepository(FlagCase).findOneBy({ clinicId, id });
  }

  /** The course of the case (null when the case has none or is not found). */
  async courseOfCase(manager: EntityManager, clinicId: string, caseId: string): Promise<{ courseId: string | null } | null> {
    const [row] = await queryRows<{ courseId: string | null }>(manager, `SELECT course_id AS "courseId" FROM flag_cases WHERE clinic_id = $1 AND id = $2`, [clinicId, caseId]);
    return row ?? null;
  }

  /** The patient's unresolved case of the course, or one holding an unresolved flag of the treatment. */
  async unresolvedCaseFor(manager: EntityManager, flag: Flag, courseId: string | null): Promise<string | null> {
    const [found] = await queryRows<{ id: string }>(
      manager,
      `SELECT c.id FROM flag_cases c
        WHERE c.clinic_id = $1 AND c.patient_id = $2 AND c.status <> 'resolved'
          AND (COALESCE(c.course_id, $5::uuid) = COALESCE($3::uuid, $5::uuid)
               OR ($4::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM flags o WHERE o.clinic_id = $1 AND o.case_id = c.id AND o.treatment_id = $4 AND o.status <> 'resolved')))
        ORDER BY c.created_at LIMIT 1`,
      [flag.clinicId, flag.patientId, courseId, flag.treatmentId, NO_COURSE],
    );
    return found?.id ?? null;
  }

  /** A case of this one flag, whose id is the flag's. */
  async insertCase(manager: EntityManager, flag: Flag, courseId: string | null, now: Date): Promise<string> {
    await manager.query(
      `INSERT INTO flag_cases (id, clinic_id, patient_id, course_id, treatment_id, status, priority, priority_rank, rule_ids, assignee_id, waiting_since, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ARRAY[$9], $10, $11, $11, $11)`,
      [flag.id, flag.clinicId, flag.patientId, courseId, flag.treatmentId, flag.status, flag.priority, PRIORITY_RANK[flag.priority], flag.ruleId, flag.assigneeId, now],
    );
    return flag.id;
  }

  async setCase(manager: EntityManager, flag: Flag, caseId: string): Promise<void> {
    await manager.query(`UPDATE flags SET case_id = $3 WHERE clinic_id = $1 AND id = $2`, [flag.clinicId, flag.id, caseId]);
  }

  /** Rewrites the case's summary from its unresolved flags; with none left the case is resolved. */
  async refreshCase(manager: EntityManager, clinicId: string, caseId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE flag_cases c SET
          status = CASE WHEN a.n = 0 THEN 'resolved' WHEN a.any_open THEN 'open' ELSE 'acknowledged' END,
          priority = COALESCE((ARRAY['urgent', 'high', 'normal', 'low'])[a.rank + 1], c.priority),
          priority_rank = COALESCE(a.rank, c.priority_rank),
          rule_ids = CASE WHEN a.n = 0 THEN c.rule_ids ELSE a.rules END,
          assignee_id = CASE WHEN a.n = 0 THEN c.assignee_id ELSE a.assignee END,
          treatment_id = COALESCE(a.treatment, c.treatment_id),
          waiting_since = COALESCE(a.since, c.waiting_since),
          updated_at = $3
         FROM (SELECT count(*)::int AS n, bool_or(f.status = 'open') AS any_open, min(${PRIORITY_RANK_SQL}) AS rank,
                      array_agg(f.rule_id ORDER BY ${PRIORITY_RANK_SQL}, f.created_at) AS rules,
                      (array_agg(f.assignee_id ORDER BY ${PRIORITY_RANK_SQL}, f.created_at) FILTER (WHERE f.assignee_id IS NOT NULL))[1] AS assignee,
                      (array_agg(f.treatment_id ORDER BY f.created_at DESC) FILTER (WHERE f.treatment_id IS NOT NULL))[1] AS treatment,
                      min(f.created_at) AS since
                 FROM flags f WHERE f.clinic_id = $1 AND f.case_id = $2 AND f.status <> 'resolved') a
        WHERE c.clinic_id = $1 AND c.id = $2`,
      [clinicId, caseId, now],
    );
  }

  /** Sends `payload` on `channel` to every instance's listeners, only if and when the transaction commits. */
  async notify(manager: EntityManager, channel: string, payload: unknown): Promise<void> {
    await manager.query(`SELECT pg_notify($1, $2)`, [channel, JSON.stringify(payload)]);
  }

  /**
   * The triage queue's page in one statement: the cases (`flag_cases_queue_idx` order), each
   * joined to its patient, treatment, assignee and unresolved flags (a row per flag), beside the
   * stored counts per priority, the clinic's time zone and (`countPart`) the count of the part
   * under the filters by index. Read joins (read-only, in the clinic): patients, treatments, staff_users, clinics.
   */
  queueRows(manager: EntityManager, clinicId: string, filter: CaseFilter, countPart: boolean, take: number, skip: number): Promise<QueueRow[]> {
    // Both unresolved statuses as `<> 'resolved'`: the predicate of the queue's partial index.
    const both = filter.statuses.length === 2 && !filter.statuses.includes('resolved');
    // One status as `=`: `flag_cases_status_idx` then gives the page in order, without a sort.
    const statusCond = both ? `c.status <> 'resolved'` : filter.statuses.length === 1 ? 'c.status = $2' : 'c.status = ANY($2::text[])';
    const where: string[] = ['c.clinic_id = $1', statusCond];
    const params: unknown[] = both ? [clinicId] : [clinicId, filter.statuses.length === 1 ? filter.statuses[0] : filter.statuses];
    if (filter.priority) where.push(`c.priority_rank = $${params.push(PRIORITY_RANK[filter.priority])}`);
    if (filter.assigneeId === null) where.push('c.assignee_id IS NULL');
    else if (filter.assigneeId) where.push(`c.assignee_id = $${params.push(filter.assigneeId)}::uuid`);
    if (filter.ruleId) where.push(`$${params.push(filter.ruleId)} = ANY(c.rule_ids)`);
    const cond = where.join(' AND ');
    // Prepared (a handful of texts: the filters present and the page's LIMIT/OFFSET): the plan is
    // made once per connection instead of on every page (it was most of the statement's server time).
    return queryPrepared<QueueRow>(
      manager,
      `WITH page AS (
         SELECT c.id, c.status, c.priority, c.priority_rank, c.patient_id, c.treatment_id, c.assignee_id, c.waiting_since
           FROM flag_cases c WHERE ${cond} ORDER BY c.priority_rank, c.waiting_since, c.id LIMIT ${Number(take)} OFFSET ${Number(skip)})
       SELECT k.counts, k.total, k."timeZone", r.*
         FROM (SELECT (SELECT counts FROM flag_case_counts WHERE clinic_id = $1) AS counts,
                      (SELECT time_zone FROM clinics WHERE id = $1) AS "timeZone",
                      ${countPart ? `(SELECT count(*)::int FROM flag_cases c WHERE ${cond})` : 'NULL::int'} AS total) k
         LEFT JOIN (
           SELECT page.id, page.status, page.priority, page.priority_rank AS rank, page.waiting_since AS "waitingSince",
                  page.patient_id AS "patientId", p.given_name AS "givenName", p.family_name AS "familyName", p.birth_year AS "birthYear",
                  page.treatment_id AS "treatmentId", t.procedure, t.product, t.performed_at AS "performedAt",
                  page.assignee_id AS "assigneeId", s.name AS "assigneeName",
                  f.id AS "flagId", f.rule_id AS "ruleId", f.priority AS "flagPriority", f.status AS "flagStatus", f.reason,
                  f.created_at AS "createdAt", f.response_id AS "responseId", f.message_id AS "messageId", f.evidence -> 'history' AS "evidenceHistory"
             FROM page
             JOIN patients p ON p.clinic_id = $1 AND p.id = page.patient_id
             LEFT JOIN treatments t ON t.clinic_id = $1 AND t.id = page.treatment_id
             LEFT JOIN staff_users s ON s.clinic_id = $1 AND s.id = page.assignee_id
             LEFT JOIN flags f ON f.clinic_id = $1 AND f.case_id = page.id AND f.status <> 'resolved'
         ) r ON true
        ORDER BY r.rank, r."waitingSince", r.id, r."createdAt", r."flagId"`,
      params,
    );
  }

  // --- Escalation (a scan of every clinic's open urgent and high flags) ---

  /**
   * The oldest open urgent or high flag whose delay (the clinic's setting, else the defaults)
   * ran out since it reached its priority and that no one has taken up or escalated, locked;
   * others' locked rows and `except` are skipped. See EscalationService for the rule. Read join:
   * each clinic's delays from `clinics`. No clinic id: a scheduled pass over every clinic.
   */
  async claimDue(manager: EntityManager, now: Date, except: string[], defaults: { urgentAfterMinutes: number; highAfterHours: number }): Promise<DueFlag | null> {
    const urgentAfter = `make_interval(mins => coalesce(c.escalate_urgent_after_minutes, $4::int))`;
    const highAfter = `make_interval(hours => coalesce(c.escalate_high_after_hours, $5::int))`;
    const reached = `(SELECT max(e.at) FROM flag_events e WHERE e.flag_id = f.id AND (e.kind IN ('raised', 'priority_raised') OR (e.kind = 'evidence_added' AND e.data->>'statusTo' = 'open')))`;
    const [row] = await queryRows<DueFlag>(
      manager,
      `SELECT f.id, f.clinic_id AS "clinicId", ${reached} AS "reachedAt" FROM flags f JOIN clinics c ON c.id = f.clinic_id
        WHERE f.status = 'open' AND f.priority IN ('urgent', 'high')
          AND f.id <> ALL($3::uuid[])
          AND ${reached} <= CASE f.priority WHEN 'urgent' THEN $1::timestamptz - ${urgentAfter} ELSE $2::timestamptz - ${highAfter} END
          AND NOT EXISTS (SELECT 1 FROM flag_events a WHERE a.flag_id = f.id AND a.kind IN ('acknowledged', 'resolved', 'reopened') AND a.at >= ${reached})
          AND NOT EXISTS (SELECT 1 FROM flag_events x WHERE x.flag_id = f.id AND x.kind = 'escalated' AND x.data->>'priority' = f.priority AND x.at >= ${reached})
          AND NOT EXISTS (${caseEscalated('f.clinic_id', 'f.case_id', 'f.id', reached)})
        ORDER BY f.created_at
        LIMIT 1
        FOR UPDATE OF f SKIP LOCKED`,
      [now, now, except, defaults.urgentAfterMinutes, defaults.highAfterHours],
    );
    return row ?? null;
  }

  /** The flag (or another flag of its case) was escalated at its priority since `since`. */
  async escalatedSince(manager: EntityManager, flag: Flag, since: Date): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      manager,
      `SELECT 1 AS one FROM flag_events WHERE clinic_id = $5 AND flag_id = $1 AND kind = 'escalated' AND data->>'priority' = $2 AND at >= $3
       UNION ALL (${caseEscalated('$5::uuid', '$4::uuid', '$1', '$3')})`,
      [flag.id, flag.priority, since, flag.caseId, flag.clinicId],
    );
    return rows.length > 0;
  }
}

/**
 * Escalation counts the case, not each flag: another flag of the same case escalated since this
 * one reached its priority (a late onset's urgent warning sign, escalated at 30 minutes, covers
 * its high late-onset flag of the same answer). Within the clinic: both tables by clinic_id (a co-located join).
 */
function caseEscalated(clinicId: string, caseId: string, flagId: string, since: string): string {
  return `SELECT 1 FROM flags g JOIN flag_events x ON x.clinic_id = g.clinic_id AND x.flag_id = g.id
           WHERE ${caseId} IS NOT NULL AND g.clinic_id = ${clinicId} AND g.case_id = ${caseId} AND g.id <> ${flagId} AND x.kind = 'escalated' AND x.at >= ${since}`;
}
