import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clock } from '../common/clock';
import { CheckInDispatchRepository, ExpiredCheckIn } from './check-in-dispatch.repository';

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
    private readonly repo: CheckInDispatchRepository,
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
      const rows = await this.repo.expireOverdue(tx, this.clock.now(), limit);
      for (const r of rows) {
        await this.audit.record(tx, {
          clinicId: r.clinicId,
          actor: SYSTEM,
          action: 'check_in.expired',
          entityType: 'check_in',
          entityId: r.id,
          data: { treatmentId: r.treatmentId, step: r.step, reason: r.prior === 'sent' ? 'no answer in time' : 'not sent in time' },
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
  private async checkLostToFollowUp(tx: EntityManager, r: ExpiredCheckIn): Promise<void> {
    const previous = await this.repo.previousOf(tx, r.clinicId, r.id);
    if (!previous || previous.status !== 'expired' || !previous.sentAt) return;
    if (!this.lostHook) throw new Error('No lost-to-follow-up hook is registered (src/triage/loop-wiring.ts)');
    await this.lostHook(tx, { clinicId: r.clinicId, patientId: r.patientId, treatmentId: r.treatmentId, checkInIds: [previous.id, r.id], steps: [previous.step, r.step] });
  }
}
