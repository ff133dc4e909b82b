import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clock } from '../common/clock';
import { queryRows } from '../database/query-rows';

/** Two check-ins of a patient's in a row went out and expired unanswered. */
export interface LostToFollowUp {
  clinicId: string;
  patientId: string;
  treatmentId: string;
  checkInIds: string[];
  steps: number[];
}
/** Told in the transaction that expires the second check-in, so what it raises lands with the expiry. */
export type LostToFollowUpHook = (tx: EntityManager, lost: LostToFollowUp) => Promise<unknown>;

/**
 * Decides which check-ins have expired (no answer, or never sent, in time) and whether two
 * unanswered in a row mean the patient is lost to follow-up, which it announces through one
 * hook (flags raises a flag for it; registered in src/triage/loop-wiring.ts, since check-ins may
 * not import flags).
 */
@Injectable()
export class CheckInExpiry {
  private lostHook: LostToFollowUpHook | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Registers the one hook told of a patient lost to follow-up; a second registration throws. */
  onLostToFollowUp(hook: LostToFollowUpHook): void {
    if (this.lostHook) throw new Error('A lost-to-follow-up hook is already registered (see src/triage/loop-wiring.ts)');
    this.lostHook = hook;
  }

  async expireOverdue(limit = 500): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await queryRows<{ id: string; clinic_id: string; patient_id: string; treatment_id: string; step: number; prior: string }>(
        tx,
        `WITH overdue AS (
           SELECT id, status FROM check_ins WHERE status IN ('scheduled', 'sent') AND expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE check_ins c SET status = 'expired' FROM overdue WHERE c.id = overdue.id
         RETURNING c.id, c.clinic_id, c.patient_id, c.treatment_id, c.step, overdue.status AS prior`,
        [this.clock.now(), limit],
      );
      for (const r of rows) {
        await this.audit.record(tx, {
          clinicId: r.clinic_id,
          actor: SYSTEM,
          action: 'check_in.expired',
          entityType: 'check_in',
          entityId: r.id,
          data: { treatmentId: r.treatment_id, step: r.step, reason: r.prior === 'sent' ? 'no answer in time' : 'not sent in time' },
        });
        if (r.prior === 'sent') await this.checkLostToFollowUp(tx, r);
      }
      return rows.length;
    });
  }

  /**
   * The patient's check-in before this one also went out and expired unanswered: two in a row.
   * "Before" is by due time across the patient's course (merged, re-pointed and extra check-ins
   * make step numbers of one treatment a poor guide); superseded and cancelled ones never asked.
   */
  private async checkLostToFollowUp(tx: EntityManager, r: { id: string; clinic_id: string; patient_id: string; treatment_id: string; step: number }): Promise<void> {
    const [previous] = await queryRows<{ id: string; step: number; status: string; sent_at: Date | null }>(
      tx,
      `SELECT p.id, p.step, p.status, p.sent_at FROM check_ins p, check_ins c
        WHERE c.id = $1 AND c.clinic_id = $2 AND p.clinic_id = c.clinic_id AND p.patient_id = c.patient_id AND p.id <> c.id AND p.due_at < c.due_at
          AND p.status NOT IN ('superseded', 'cancelled')
        ORDER BY p.due_at DESC LIMIT 1`,
      [r.id, r.clinic_id],
    );
    if (!previous || previous.status !== 'expired' || !previous.sent_at) return;
    if (!this.lostHook) throw new Error('No lost-to-follow-up hook is registered (src/triage/loop-wiring.ts)');
    await this.lostHook(tx, { clinicId: r.clinic_id, patientId: r.patient_id, treatmentId: r.treatment_id, checkInIds: [previous.id, r.id], steps: [previous.step, r.step] });
  }
}
