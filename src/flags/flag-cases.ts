import { EntityManager } from 'typeorm';
import { lockKey } from '../database/advisory-lock';
import { queryRows } from '../database/query-rows';
import { Flag, FlagStatus } from './flag.entity';
import { PRIORITY_RANK } from './rules';

/**
 * Cases: a patient's unresolved flags of one course, triaged as one. The flags stay as they are
 * (one per rule, own history); `flag_cases` holds one summary row per case (status, highest
 * priority and its stored rank, rules, assignee, waiting since), rewritten from the case's flags
 * in the transaction that changes any of them, so the queue reads cases by index.
 *
 * A flag joins the unresolved case of its patient and course (`courseId`: the course's first
 * session; the flag's treatment when the caller does not know the course) or a case that already
 * holds an unresolved flag of the same treatment; otherwise it starts a case whose id is its own.
 * A case whose flags are all resolved is resolved; a flag reopened later joins the patient's
 * unresolved case of that course, else its own case opens again.
 */

/** The channel every flag change is announced on (pg_notify in the changing transaction). */
export const FLAG_CHANGES_CHANNEL = 'aftercare_flag_changes';

export type FlagChangeKind = 'raised' | 'reprioritised' | 'acknowledged' | 'resolved' | 'reopened' | 'assigned';

/** What is announced: ids and status only; a listener refetches what it shows. */
export interface FlagChange {
  type: 'flag';
  clinicId: string;
  flagId: string;
  caseId: string | null;
  change: FlagChangeKind;
  status: FlagStatus;
  priority: Flag['priority'];
}

const NO_COURSE = '00000000-0000-0000-0000-000000000000';

/** Puts the flag in its patient's unresolved case of the course (or a new one) and refreshes that case. */
export async function placeInCase(m: EntityManager, flag: Flag, courseId: string | null, now: Date): Promise<string> {
  // One placement per patient at a time: two answers of one course must not open two cases.
  await lockPatientCases(m, flag.patientId);
  const [found] = await queryRows<{ id: string }>(
    m,
    `SELECT c.id FROM flag_cases c
      WHERE c.clinic_id = $1 AND c.patient_id = $2 AND c.status <> 'resolved'
        AND (COALESCE(c.course_id, $5::uuid) = COALESCE($3::uuid, $5::uuid)
             OR ($4::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM flags o WHERE o.case_id = c.id AND o.treatment_id = $4 AND o.status <> 'resolved')))
      ORDER BY c.created_at LIMIT 1`,
    [flag.clinicId, flag.patientId, courseId, flag.treatmentId, NO_COURSE],
  );
  let caseId = found?.id ?? flag.caseId;
  if (!caseId) {
    caseId = flag.id;
    await m.query(
      `INSERT INTO flag_cases (id, clinic_id, patient_id, course_id, treatment_id, status, priority, priority_rank, rule_ids, assignee_id, waiting_since, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ARRAY[$9], $10, $11, $11, $11)`,
      [caseId, flag.clinicId, flag.patientId, courseId, flag.treatmentId, flag.status, flag.priority, PRIORITY_RANK[flag.priority], flag.ruleId, flag.assigneeId, now],
    );
  }
  if (flag.caseId !== caseId) {
    await m.query(`UPDATE flags SET case_id = $1 WHERE id = $2`, [caseId, flag.id]);
    const previous = flag.caseId;
    flag.caseId = caseId;
    if (previous) await refreshCase(m, previous, now);
  }
  await refreshCase(m, caseId, now);
  return caseId;
}

/** Rewrites the case's summary from its unresolved flags; with none left the case is resolved. */
export async function refreshCase(m: EntityManager, caseId: string, now: Date): Promise<void> {
  const rank = `CASE f.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END`;
  await m.query(
    `UPDATE flag_cases c SET
        status = CASE WHEN a.n = 0 THEN 'resolved' WHEN a.any_open THEN 'open' ELSE 'acknowledged' END,
        priority = COALESCE((ARRAY['urgent', 'high', 'normal', 'low'])[a.rank + 1], c.priority),
        priority_rank = COALESCE(a.rank, c.priority_rank),
        rule_ids = CASE WHEN a.n = 0 THEN c.rule_ids ELSE a.rules END,
        assignee_id = CASE WHEN a.n = 0 THEN c.assignee_id ELSE a.assignee END,
        treatment_id = COALESCE(a.treatment, c.treatment_id),
        waiting_since = COALESCE(a.since, c.waiting_since),
        updated_at = $2
       FROM (SELECT count(*)::int AS n, bool_or(f.status = 'open') AS any_open, min(${rank}) AS rank,
                    array_agg(f.rule_id ORDER BY ${rank}, f.created_at) AS rules,
                    (array_agg(f.assignee_id ORDER BY ${rank}, f.created_at) FILTER (WHERE f.assignee_id IS NOT NULL))[1] AS assignee,
                    (array_agg(f.treatment_id ORDER BY f.created_at DESC) FILTER (WHERE f.treatment_id IS NOT NULL))[1] AS treatment,
                    min(f.created_at) AS since
               FROM flags f WHERE f.case_id = $1 AND f.status <> 'resolved') a
      WHERE c.id = $1`,
    [caseId, now],
  );
}

/** Announces a change to every instance's listeners, only if and when the transaction commits. */
export async function announceChange(m: EntityManager, flag: Flag, change: FlagChangeKind): Promise<void> {
  const payload: FlagChange = { type: 'flag', clinicId: flag.clinicId, flagId: flag.id, caseId: flag.caseId, change, status: flag.status, priority: flag.priority };
  await m.query(`SELECT pg_notify($1, $2)`, [FLAG_CHANGES_CHANNEL, JSON.stringify(payload)]);
}

/**
 * Every change to a patient's flags takes this first (raising, triage steps, case actions), then
 * treatment locks and flag rows: the case rows are written last, in one order everywhere.
 */
export function lockPatientCases(m: EntityManager, patientId: string): Promise<void> {
  return lockKey(m, `flags:cases:${patientId}`);
}

/** What a browser is sent of a change (the clinic only scopes who hears it). */
export const FLAG_CHANGES_CHANGE_KEYS = ['type', 'flagId', 'caseId', 'change', 'status', 'priority'] as const;
