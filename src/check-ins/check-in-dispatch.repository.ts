/**
 * The dispatcher's queries of check_ins (claiming, expiring, reminding, settling a send), with
 * typed rows: raw SQL with `$n` parameters through `queryRows`, TypeORM's repository API only to
 * update a row by its primary key. Every query of one check-in is scoped by its clinic's id. The
 * passes over due, overdue and remindable check-ins are not: one dispatcher serves every clinic,
 * so those read across clinics by design, and each row they return carries its clinic_id.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { awaitingAnswerSql } from './check-in-status';
import { CheckIn } from './check-in.entity';
import { CHECK_IN_COLUMNS } from './check-ins.repository';

/** The lease queue's `ready`: scheduled, due by `$1` (now) and not yet expired. */
export const DUE_FOR_SENDING_SQL = `status = 'scheduled' AND next_attempt_at <= $1 AND expires_at > $1`;

/** A check-in just expired, and what it was before: `sent` (no answer in time) or `scheduled` (not sent in time). */
export interface ExpiredCheckIn {
  id: string;
  clinicId: string;
  patientId: string;
  treatmentId: string;
  step: number;
  prior: 'scheduled' | 'sent';
}

/** The check-in before another in a patient's course, as far as lost-to-follow-up needs it. */
export interface PreviousCheckIn {
  id: string;
  step: number;
  status: string;
  sentAt: Date | null;
}

@Injectable()
export class CheckInDispatchRepository {
  /** The clinic's check-in, locked for update if asked. */
  async find(manager: EntityManager, clinicId: string, id: string, lock: boolean): Promise<CheckIn | null> {
    const [row] = await queryRows<CheckIn>(manager, `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c WHERE c.clinic_id = $1 AND c.id = $2${lock ? ' FOR UPDATE' : ''}`, [clinicId, id]);
    return row ?? null;
  }

  /** The check-in's status now, or null when it is gone. */
  async statusOf(manager: EntityManager, clinicId: string, id: string): Promise<string | null> {
    const [row] = await queryRows<{ status: string }>(manager, `SELECT status FROM check_ins WHERE clinic_id = $1 AND id = $2`, [clinicId, id]);
    return row?.status ?? null;
  }

  async update(manager: EntityManager, clinicId: string, id: string, changes: Partial<CheckIn>): Promise<void> {
    await manager.update(CheckIn, { clinicId, id }, changes);
  }

  /**
   * Expires up to `limit` check-ins (of every clinic) scheduled or sent whose expiry is past at
   * `now`; one being sent (`sending`) is left to its send. Rows locked by another pass are skipped.
   */
  async expireOverdue(manager: EntityManager, now: Date, limit: number): Promise<ExpiredCheckIn[]> {
    return queryRows<ExpiredCheckIn>(
      manager,
      `WITH overdue AS (
         SELECT id, status FROM check_ins WHERE status IN ('scheduled', 'sent') AND expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE check_ins c SET status = 'expired' FROM overdue WHERE c.id = overdue.id
       RETURNING c.id, c.clinic_id AS "clinicId", c.patient_id AS "patientId", c.treatment_id AS "treatmentId", c.step, overdue.status AS prior`,
      [now, limit],
    );
  }

  /**
   * The patient's check-in due just before this one, superseded and cancelled ones aside (they
   * never asked): by due time across the course, not by step.
   */
  async previousOf(manager: EntityManager, clinicId: string, checkInId: string): Promise<PreviousCheckIn | null> {
    const [row] = await queryRows<PreviousCheckIn>(
      manager,
      `SELECT p.id, p.step, p.status, p.sent_at AS "sentAt" FROM check_ins p, check_ins c
        WHERE c.id = $1 AND c.clinic_id = $2 AND p.clinic_id = c.clinic_id AND p.patient_id = c.patient_id AND p.id <> c.id AND p.due_at < c.due_at
          AND p.status NOT IN ('superseded', 'cancelled')
        ORDER BY p.due_at DESC LIMIT 1`,
      [checkInId, clinicId],
    );
    return row ?? null;
  }

  /** These check-ins' reminders are queued (or have no channel left): marked in one statement, each within its clinic. */
  async markReminded(manager: EntityManager, checkIns: Array<{ id: string; clinicId: string }>, at: Date): Promise<void> {
    if (!checkIns.length) return;
    await manager.query(`UPDATE check_ins c SET reminder_sent_at = $3 FROM unnest($1::uuid[], $2::uuid[]) AS v(clinic_id, id) WHERE c.clinic_id = v.clinic_id AND c.id = v.id`, [
      checkIns.map((c) => c.clinicId),
      checkIns.map((c) => c.id),
      at,
    ]);
  }

  /** Up to `limit` sent check-ins (of every clinic) whose reminder is due at `now` and not yet queued, locked, by remind time. */
  async lockRemindersDue(manager: EntityManager, now: Date, limit: number): Promise<CheckIn[]> {
    return queryRows<CheckIn>(
      manager,
      `SELECT ${CHECK_IN_COLUMNS('c')} FROM check_ins c
        WHERE ${awaitingAnswerSql('c', '$1')} AND c.reminder_sent_at IS NULL AND c.remind_at <= $1
        ORDER BY c.remind_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
  }
}
