/**
 * Every query of check_ins, check_in_treatments and check_in_tokens made by this folder's
 * services but the dispatcher's (check-in-dispatch.repository.ts), with typed rows. Raw SQL with
 * `$n` parameters through `queryRows`; TypeORM's repository API only for simple CRUD by primary
 * key (inserting rows, updating or deleting one by its id and clinic, finding a token). Every
 * query on clinic data is scoped by the clinic's id, except the token lookup's two (token →
 * check-in id → check-in): a token identifies its check-in, and the check-in found carries the
 * clinic_id every later query uses.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { Treatment } from '../treatments/treatment.entity';
import { awaitingAnswerSql, openCheckInSql } from './check-in-status';
import { CheckInToken } from './check-in-token.entity';
import { CheckInTreatment } from './check-in-treatment.entity';
import { CheckIn } from './check-in.entity';
import type { PlannedCheckIn } from './planner';

/** A check-in as the API shows it: every column but the dispatcher's lease (as the entity selects by default). */
export const CHECK_IN_COLUMNS = (alias: string): string =>
  [
    'id',
    'clinic_id AS "clinicId"',
    'treatment_id AS "treatmentId"',
    'patient_id AS "patientId"',
    'step',
    'day_offset AS "dayOffset"',
    'due_at AS "dueAt"',
    'expires_at AS "expiresAt"',
    'remind_at AS "remindAt"',
    'status',
    'channel',
    'attempts',
    'next_attempt_at AS "nextAttemptAt"',
    'sent_at AS "sentAt"',
    'reminder_sent_at AS "reminderSentAt"',
    'answered_at AS "answeredAt"',
    'clarifications_sent AS "clarificationsSent"',
    'fallback_from AS "fallbackFrom"',
    'last_error AS "lastError"',
    'requested_by_flag_id AS "requestedByFlagId"',
    'created_at AS "createdAt"',
  ]
    .map((column) => `${alias}.${column}`)
    .join(', ');

/** A step to insert: where it sits in the course and when it is due. */
export type NewCheckInStep = Pick<PlannedCheckIn, 'step' | 'dayOffset' | 'dueAt' | 'expiresAt' | 'remindAt' | 'status'>;

/** A session a check-in counts for, to be linked. */
export type CheckInLink = Pick<CheckInTreatment, 'checkInId' | 'treatmentId' | 'clinicId' | 'step' | 'dayOffset'>;

/** What owns a check-in: the session it was planned for, and its step and day in that session. */
export type CheckInOwner = Pick<CheckIn, 'treatmentId' | 'step' | 'dayOffset'>;

@Injectable()
export class CheckInsRepository {
  // --- Reading check-ins ---

  /** The check-ins that count for the treatment (owned or linked), by due time then step. */
  async listForTreatment(manager: EntityManager, clinicId: string, treatmentId: string): Promise<CheckIn[]> {
    return queryRows<CheckIn>(
      manager,
      `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c
        WHERE c.clinic_id = $1
          AND (c.treatment_id = $2 OR c.id IN (SELECT l.check_in_id FROM check_in_treatments l WHERE l.treatment_id = $2))
        ORDER BY c.due_at ASC, c.step ASC`,
      [clinicId, treatmentId],
    );
  }

  async listForPatient(manager: EntityManager, clinicId: string, patientId: string): Promise<CheckIn[]> {
    return queryRows<CheckIn>(
      manager,
      `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c WHERE c.clinic_id = $1 AND c.patient_id = $2 ORDER BY c.due_at ASC, c.step ASC`,
      [clinicId, patientId],
    );
  }

  /** A token's check-in (the token is the credential: no clinic is known yet), locked for update if asked. */
  async findById(manager: EntityManager, id: string, lock: boolean): Promise<CheckIn | null> {
    const [row] = await queryRows<CheckIn>(manager, `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ?? null;
  }

  /** The patient's most recently sent check-in still open at `now`; every such check-in is locked, as before the split. */
  async lockLatestSentOfPatient(manager: EntityManager, clinicId: string, patientId: string, now: Date): Promise<CheckIn | null> {
    const [row] = await queryRows<CheckIn>(
      manager,
      `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c
        WHERE c.clinic_id = $1 AND c.patient_id = $2 AND ${awaitingAnswerSql('c', '$3')}
        ORDER BY c.sent_at DESC FOR UPDATE`,
      [clinicId, patientId, now],
    );
    return row ?? null;
  }

  /** The patient's first open check-in due in [start, end) (one local day). */
  async firstOpenOfPatientBetween(manager: EntityManager, clinicId: string, patientId: string, start: Date, end: Date): Promise<CheckIn | null> {
    const [row] = await queryRows<CheckIn>(
      manager,
      `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c
        WHERE c.clinic_id = $1 AND c.patient_id = $2 AND ${openCheckInSql('c')} AND c.due_at >= $3 AND c.due_at < $4
        ORDER BY c.due_at ASC LIMIT 1`,
      [clinicId, patientId, start, end],
    );
    return row ?? null;
  }

  /** The patient's open check-ins not yet expired at `now`, locked: a new session's steps may join them. */
  async lockOpenOfPatient(manager: EntityManager, clinicId: string, patientId: string, now: Date): Promise<Array<{ id: string; dueAt: Date; treatmentId: string }>> {
    return queryRows(
      manager,
      `SELECT id, due_at AS "dueAt", treatment_id AS "treatmentId" FROM check_ins
        WHERE clinic_id = $1 AND patient_id = $2 AND ${openCheckInSql()} AND expires_at > $3 FOR UPDATE`,
      [clinicId, patientId, now],
    );
  }

  /** The patient's scheduled check-ins owned by these sessions, locked. */
  async lockScheduledOfSessions(
    manager: EntityManager,
    clinicId: string,
    patientId: string,
    treatmentIds: string[],
  ): Promise<Array<{ id: string; treatmentId: string; dayOffset: number; status: string }>> {
    return queryRows(
      manager,
      `SELECT id, treatment_id AS "treatmentId", day_offset AS "dayOffset", status FROM check_ins
        WHERE clinic_id = $1 AND patient_id = $2 AND status = 'scheduled' AND treatment_id = ANY($3::uuid[]) FOR UPDATE`,
      [clinicId, patientId, treatmentIds],
    );
  }

  /** The open check-ins that count for the treatment, with their owner, locked. */
  async lockOpenOfTreatment(manager: EntityManager, clinicId: string, treatmentId: string): Promise<Array<{ id: string; owner: string; dayOffset: number }>> {
    return queryRows(
      manager,
      `SELECT c.id, c.treatment_id AS owner, c.day_offset AS "dayOffset" FROM check_ins c
         JOIN check_in_treatments l ON l.check_in_id = c.id
        WHERE c.clinic_id = $1 AND l.treatment_id = $2 AND ${openCheckInSql('c')} FOR UPDATE OF c`,
      [clinicId, treatmentId],
    );
  }

  /** The steps the treatment owns, superseded ones aside. */
  async stepsOwnedBy(manager: EntityManager, clinicId: string, treatmentId: string): Promise<number[]> {
    const rows = await queryRows<{ step: number }>(
      manager,
      `SELECT step FROM check_ins WHERE clinic_id = $1 AND treatment_id = $2 AND status <> 'superseded'`,
      [clinicId, treatmentId],
    );
    return rows.map((r) => r.step);
  }

  /** The step after the treatment's last one (extra check-ins number after the protocol's). */
  async nextStepOf(manager: EntityManager, clinicId: string, treatmentId: string): Promise<number> {
    const [{ step }] = await queryRows<{ step: number | string }>(
      manager,
      `SELECT coalesce(max(step), 0) + 1 AS step FROM check_ins WHERE clinic_id = $1 AND treatment_id = $2`,
      [clinicId, treatmentId],
    );
    return Number(step);
  }

  // --- Writing check-ins ---

  /** New check-in rows for the treatment's steps: nothing sent, tried or answered yet. */
  async insert(manager: EntityManager, treatment: Treatment, steps: NewCheckInStep[], now: Date, requestedByFlagId: string | null = null): Promise<CheckIn[]> {
    if (!steps.length) return [];
    const repo = manager.getRepository(CheckIn);
    return repo.save(steps.map((step) => repo.create({ ...newCheckIn(treatment, step, now), requestedByFlagId })));
  }

  async setOwner(manager: EntityManager, clinicId: string, id: string, owner: CheckInOwner): Promise<void> {
    await manager.update(CheckIn, { clinicId, id }, { treatmentId: owner.treatmentId, step: owner.step, dayOffset: owner.dayOffset });
  }

  /** Superseded by a later session's late steps: never sent. */
  async supersede(manager: EntityManager, clinicId: string, ids: string[]): Promise<void> {
    await queryRows(manager, `UPDATE check_ins SET status = 'superseded', lease_owner = NULL, lease_expires_at = NULL WHERE clinic_id = $1 AND id = ANY($2::uuid[])`, [clinicId, ids]);
  }

  async cancel(manager: EntityManager, clinicId: string, id: string): Promise<void> {
    await manager.update(CheckIn, { clinicId, id }, { status: 'cancelled', leaseOwner: null, leaseExpiresAt: null });
  }

  /** Cancels every open check-in of the patient; the ids cancelled. */
  async cancelOpenOfPatient(manager: EntityManager, clinicId: string, patientId: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE check_ins SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL
        WHERE clinic_id = $1 AND patient_id = $2 AND ${openCheckInSql()} RETURNING id`,
      [clinicId, patientId],
    );
    return rows.map((r) => r.id);
  }

  /** Clears the delivery errors kept on the patient's check-ins; how many had one. */
  async eraseErrorsOfPatient(manager: EntityManager, clinicId: string, patientId: string): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE check_ins SET last_error = NULL WHERE clinic_id = $1 AND patient_id = $2 AND last_error IS NOT NULL RETURNING id`,
      [clinicId, patientId],
    );
    return rows.length;
  }

  async markAnswered(manager: EntityManager, clinicId: string, id: string, at: Date): Promise<void> {
    await manager.update(CheckIn, { clinicId, id }, { status: 'answered', answeredAt: at, leaseOwner: null, leaseExpiresAt: null });
  }

  async countClarification(manager: EntityManager, clinicId: string, id: string): Promise<void> {
    await manager.increment(CheckIn, { clinicId, id }, 'clarificationsSent', 1);
  }

  // --- The sessions a check-in counts for ---

  /** The links of these check-ins, in the clinic. */
  async linksOf(manager: EntityManager, clinicId: string, checkInIds: string[]): Promise<Array<{ checkInId: string; treatmentId: string }>> {
    if (!checkInIds.length) return [];
    return queryRows(
      manager,
      `SELECT check_in_id AS "checkInId", treatment_id AS "treatmentId" FROM check_in_treatments WHERE clinic_id = $1 AND check_in_id = ANY($2::uuid[])`,
      [clinicId, checkInIds],
    );
  }

  /** The sessions a check-in of the clinic counts for. */
  async treatmentIdsOf(manager: EntityManager, clinicId: string, checkInId: string): Promise<string[]> {
    const rows = await queryRows<{ treatmentId: string }>(
      manager,
      `SELECT treatment_id AS "treatmentId" FROM check_in_treatments WHERE clinic_id = $1 AND check_in_id = $2`,
      [clinicId, checkInId],
    );
    return rows.map((r) => r.treatmentId);
  }

  /** The check-in's links to sessions other than `treatmentId`. */
  async otherLinksOf(manager: EntityManager, clinicId: string, checkInId: string, treatmentId: string): Promise<Array<Pick<CheckInLink, 'treatmentId' | 'step' | 'dayOffset'>>> {
    return queryRows(
      manager,
      `SELECT treatment_id AS "treatmentId", step, day_offset AS "dayOffset" FROM check_in_treatments
        WHERE clinic_id = $1 AND check_in_id = $2 AND treatment_id <> $3`,
      [clinicId, checkInId, treatmentId],
    );
  }

  /** Links, an existing one left as it is. */
  async link(manager: EntityManager, links: CheckInLink[]): Promise<void> {
    if (!links.length) return;
    await queryRows(
      manager,
      `INSERT INTO check_in_treatments (check_in_id, treatment_id, clinic_id, step, day_offset)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::int[])
       ON CONFLICT DO NOTHING`,
      [links.map((l) => l.checkInId), links.map((l) => l.treatmentId), links.map((l) => l.clinicId), links.map((l) => l.step), links.map((l) => l.dayOffset)],
    );
  }

  async unlink(manager: EntityManager, clinicId: string, checkInId: string, treatmentId: string): Promise<void> {
    await manager.delete(CheckInTreatment, { clinicId, checkInId, treatmentId });
  }

  // --- Tokens ---

  async insertToken(manager: EntityManager, tokenHash: Buffer, checkIn: { id: string; clinicId: string }, at: Date): Promise<void> {
    await manager.getRepository(CheckInToken).insert({ tokenHash, clinicId: checkIn.clinicId, checkInId: checkIn.id, createdAt: at });
  }

  /** Many tokens in one statement (a dispatcher round's links). */
  async insertTokens(manager: EntityManager, tokens: Array<{ tokenHash: Buffer; clinicId: string; checkInId: string }>, at: Date): Promise<void> {
    if (!tokens.length) return;
    await manager.query(`INSERT INTO check_in_tokens (token_hash, clinic_id, check_in_id, created_at) SELECT h, c, i, $4 FROM unnest($1::bytea[], $2::uuid[], $3::uuid[]) AS t(h, c, i)`, [
      tokens.map((t) => t.tokenHash),
      tokens.map((t) => t.clinicId),
      tokens.map((t) => t.checkInId),
      at,
    ]);
  }

  /** The check-in a token was issued for, if the token is known. */
  async checkInIdOfToken(manager: EntityManager, tokenHash: Buffer): Promise<string | null> {
    const row = await manager.getRepository(CheckInToken).findOneBy({ tokenHash });
    return row?.checkInId ?? null;
  }
}

/** A new check-in row for a planned step: nothing sent, tried or answered yet. */
function newCheckIn(treatment: Treatment, step: NewCheckInStep, now: Date): Partial<CheckIn> {
  return {
    clinicId: treatment.clinicId,
    treatmentId: treatment.id,
    patientId: treatment.patientId,
    step: step.step,
    dayOffset: step.dayOffset,
    dueAt: step.dueAt,
    expiresAt: step.expiresAt,
    remindAt: step.remindAt,
    status: step.status,
    channel: null,
    attempts: 0,
    nextAttemptAt: step.dueAt,
    sentAt: null,
    reminderSentAt: null,
    answeredAt: null,
    clarificationsSent: 0,
    lastError: null,
    createdAt: now,
  };
}
