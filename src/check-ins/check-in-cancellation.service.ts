import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import type { Session } from '../treatments/course';
import { CheckInsRepository } from './check-ins.repository';
import { fateOnCancel } from './course-plan';

/**
 * Decides what becomes of open check-ins when a session is cancelled (kept for another session,
 * handed to it, or cancelled) and cancels all of a patient's open check-ins on erasure.
 */
@Injectable()
export class CheckInCancellation {
  constructor(
    private readonly repo: CheckInsRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * The treatment's open check-ins when it is cancelled. One that also counts for another
   * active session stays: it loses this session, and if this session owned it, the most recent
   * other session whose step it is becomes the owner. The others are cancelled, late steps
   * included (the caller plans them again from the course's latest remaining session).
   */
  async cancelForTreatment(manager: EntityManager, clinicId: string, treatmentId: string, actor: Actor, activeSessions: Session[] = []): Promise<number> {
    const activePerformedAt = new Map(activeSessions.filter((s) => s.id !== treatmentId).map((s) => [s.id, s.performedAt.getTime()]));
    const open = await this.repo.lockOpenOfTreatment(manager, clinicId, treatmentId);
    let cancelled = 0;
    for (const checkIn of open) {
      const otherLinks = await this.repo.otherLinksOf(manager, clinicId, checkIn.id, treatmentId);
      const fate = fateOnCancel({ checkIn, cancelledId: treatmentId, otherLinks, activePerformedAt });
      if (fate.keep) {
        await this.repo.unlink(manager, clinicId, checkIn.id, treatmentId);
        if (fate.newOwner) await this.repo.setOwner(manager, clinicId, checkIn.id, fate.newOwner);
        await this.audit.record(manager, {
          clinicId,
          actor,
          action: 'check_in.repointed',
          entityType: 'check_in',
          entityId: checkIn.id,
          data: { removedTreatmentId: treatmentId, ownerId: fate.newOwner?.treatmentId ?? checkIn.owner, reason: 'treatment cancelled; the check-in still counts for another session' },
        });
        continue;
      }
      await this.repo.cancel(manager, clinicId, checkIn.id);
      await this.audit.record(manager, { clinicId, actor, action: 'check_in.cancelled', entityType: 'check_in', entityId: checkIn.id, data: { treatmentId, reason: 'treatment cancelled' } });
      cancelled++;
    }
    return cancelled;
  }

  /** Every check-in of the patient still to be sent or answered is cancelled (erasure); their links die with them. */
  async cancelForPatient(manager: EntityManager, clinicId: string, patientId: string, actor: Actor, reason: string): Promise<number> {
    const ids = await this.repo.cancelOpenOfPatient(manager, clinicId, patientId);
    for (const id of ids) {
      await this.audit.record(manager, { clinicId, actor, action: 'check_in.cancelled', entityType: 'check_in', entityId: id, data: { patientId, reason } });
    }
    return ids.length;
  }
}
