import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import type { Clinic } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import type { Patient } from '../patients/patient.entity';
import type { Protocol } from '../protocols/protocol.entity';
import type { Treatment } from '../treatments/treatment.entity';
import { CheckInPlanning } from './check-in-planning.service';
import { timingOf } from './check-in-timing';
import type { CheckIn } from './check-in.entity';
import { CheckInsRepository } from './check-ins.repository';
import { planExtraCheckIn } from './extra-check-in';

/**
 * Decides the extra check-in a practitioner asks for from a flag: N days from now for the
 * flag's session, or the patient's open check-in of that day reused (one check-in a day).
 */
@Injectable()
export class ExtraCheckIns {
  constructor(
    private readonly repo: CheckInsRepository,
    private readonly planning: CheckInPlanning,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * One extra check-in for the treatment `inDays` days from now, in the caller's transaction. At
   * most one check-in per patient per local day: if one is already open that day it is reused
   * (`reused: true`) and nothing new is planned.
   */
  async plan(
    manager: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; inDays: number; flagId: string },
    actor: Actor,
  ): Promise<{ checkIn: CheckIn; reused: boolean }> {
    const { treatment, patient, clinic, protocol } = input;
    const plan = planExtraCheckIn({ ...timingOf(treatment, patient, clinic, protocol), now: this.clock.now(), inDays: input.inDays });
    // The same lock as course planning: the one-a-day check and the step number stay true.
    await this.planning.lockPatientPlan(manager, patient.id);
    const sameDay = await this.repo.firstOpenOfPatientBetween(manager, treatment.clinicId, patient.id, plan.day.start, plan.day.end);
    if (sameDay) return { checkIn: sameDay, reused: true };
    const step = await this.repo.nextStepOf(manager, treatment.clinicId, treatment.id);
    const [checkIn] = await this.repo.insert(manager, treatment, [{ ...plan, step, status: 'scheduled' }], this.clock.now(), input.flagId);
    // Counts for the flag's session only: it was asked for about that treatment.
    await this.repo.link(manager, [{ checkInId: checkIn.id, treatmentId: treatment.id, clinicId: treatment.clinicId, step: checkIn.step, dayOffset: checkIn.dayOffset }]);
    await this.audit.record(manager, {
      clinicId: treatment.clinicId,
      actor,
      action: 'check_in.extra_planned',
      entityType: 'check_in',
      entityId: checkIn.id,
      data: { treatmentId: treatment.id, flagId: input.flagId, step: checkIn.step, dayOffset: checkIn.dayOffset, dueAt: checkIn.dueAt.toISOString() },
    });
    return { checkIn, reused: false };
  }
}
