import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import type { Clinic } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import { lockKey } from '../database/advisory-lock';
import type { Patient } from '../patients/patient.entity';
import type { Protocol } from '../protocols/protocol.entity';
import { courseSessionsAt, isLastOfCourse, Session } from '../treatments/course';
import type { Treatment } from '../treatments/treatment.entity';
import { AftercareInstructions } from './aftercare-instructions.service';
import { timeZoneOf, timingOf } from './check-in-timing';
import { CheckInsRepository } from './check-ins.repository';
import { isLateStep, lateStepsToSupersede, linksFor, mergeIntoOpen } from './course-plan';
import { PlannedCheckIn, planCheckIns } from './planner';

/** A session, its patient and clinic, and the protocol its check-ins follow. */
export interface SessionToPlan {
  treatment: Treatment;
  patient: Patient;
  clinic: Clinic;
  protocol: Protocol;
}

/**
 * Decides which check-ins a session gets and which session each counts for: one per protocol
 * step, merged into the patient's open check-in of the same local day, the course's late steps
 * run from its last session (and planned again when that session is cancelled).
 */
@Injectable()
export class CheckInPlanning {
  constructor(
    private readonly repo: CheckInsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly instructions: AftercareInstructions,
  ) {}

  /** Planning for one patient is serialised: two sessions recorded at once must not both take a day. Take it before reading the patient's sessions. */
  async lockPatientPlan(manager: EntityManager, patientId: string): Promise<void> {
    await lockKey(manager, `check-in-plan:${patientId}`);
  }

  /**
   * Plans one check-in per protocol step, inside the treatment's transaction, fitted into the
   * patient's course (`sessions`: the patient's active sessions, this one included):
   * - a step on the same local day as an open check-in joins it (one check-in a day);
   * - if this is the last session of its course, the earlier sessions' late steps not yet sent
   *   are superseded and the late steps are planned from this one (linked to every session of
   *   the course); a back-filled session older than the last plans no late steps.
   */
  async planForTreatment(manager: EntityManager, input: SessionToPlan & { sendInstructions?: boolean; sessions?: Session[] }, actor: Actor): Promise<void> {
    const { treatment, protocol } = input;
    await this.lockPatientPlan(manager, input.patient.id);
    const sessions = input.sessions ?? [treatment];
    const last = isLastOfCourse(sessions, treatment);
    const earlier = courseSessionsAt(sessions, treatment.performedAt, treatment).filter((s) => s.id !== treatment.id);
    const superseded = last ? await this.supersedeLateSteps(manager, { treatment, earlierIds: earlier.map((s) => s.id) }, actor) : [];
    const planned = this.plan(input).filter((p) => last || !isLateStep(p.dayOffset));
    await this.fitIntoCourse(manager, { ...input, planned, sessions, courseEarlier: last ? earlier : [] }, actor, {
      protocolId: protocol.id,
      protocolVersion: protocol.version,
      ...(superseded.length ? { supersededCheckInIds: superseded } : {}),
    });
    if (input.sendInstructions) await this.instructions.queue(manager, input, actor);
  }

  /**
   * The course lost its last session (cancelled): its late steps are planned again from the
   * latest remaining one, `treatment`. Steps already past are not planned again.
   */
  async replanLateSteps(manager: EntityManager, input: SessionToPlan & { sessions: Session[]; cancelledId: string }, actor: Actor): Promise<void> {
    const { treatment, protocol } = input;
    await this.lockPatientPlan(manager, input.patient.id);
    const taken = new Set(await this.repo.stepsOwnedBy(manager, treatment.clinicId, treatment.id));
    const planned = this.plan(input).filter((p) => isLateStep(p.dayOffset) && p.status === 'scheduled' && !taken.has(p.step));
    const earlier = courseSessionsAt(input.sessions, treatment.performedAt, treatment).filter((s) => s.id !== treatment.id);
    await this.fitIntoCourse(manager, { ...input, planned, courseEarlier: earlier }, actor, {
      protocolId: protocol.id,
      protocolVersion: protocol.version,
      reason: 'late steps planned again: the last session of the course was cancelled',
      cancelledTreatmentId: input.cancelledId,
    });
  }

  private plan({ treatment, patient, clinic, protocol }: SessionToPlan): PlannedCheckIn[] {
    return planCheckIns({ ...timingOf(treatment, patient, clinic, protocol), dayOffsets: protocol.dayOffsets, now: this.clock.now() });
  }

  /** The earlier sessions' late steps not yet sent give way to the new last session's. */
  private async supersedeLateSteps(manager: EntityManager, input: { treatment: Treatment; earlierIds: string[] }, actor: Actor): Promise<string[]> {
    const { treatment } = input;
    if (!input.earlierIds.length) return [];
    const candidates = await this.repo.lockScheduledOfSessions(manager, treatment.clinicId, treatment.patientId, input.earlierIds);
    const ids = lateStepsToSupersede(candidates, input.earlierIds);
    if (!ids.length) return [];
    await this.repo.supersede(manager, treatment.clinicId, ids);
    for (const c of candidates.filter((x) => ids.includes(x.id))) {
      await this.audit.record(manager, {
        clinicId: treatment.clinicId,
        actor,
        action: 'check_in.superseded',
        entityType: 'check_in',
        entityId: c.id,
        data: { treatmentId: c.treatmentId, dayOffset: c.dayOffset, supersededBy: treatment.id, reason: 'late steps run from the last session of the course' },
      });
    }
    return ids;
  }

  /** Inserts the planned steps, or merges them into the patient's open check-in of the same local day; links each to the sessions it counts for. */
  private async fitIntoCourse(
    manager: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; planned: PlannedCheckIn[]; sessions: Session[]; courseEarlier: Session[] },
    actor: Actor,
    auditData: Record<string, unknown>,
  ): Promise<void> {
    const { treatment } = input;
    const now = this.clock.now();
    const zone = timeZoneOf(input.patient, input.clinic);
    const performedAt = new Map(input.sessions.map((s) => [s.id, s.performedAt]));
    const open = await this.repo.lockOpenOfPatient(manager, treatment.clinicId, treatment.patientId, now);
    const plan = mergeIntoOpen({
      open: open.map((c) => ({ id: c.id, dueAt: new Date(c.dueAt), ownerPerformedAt: performedAt.get(c.treatmentId) ?? null })),
      planned: input.planned,
      performedAt: treatment.performedAt,
      timeZone: zone,
    });
    const rows = await this.repo.insert(manager, treatment, plan.inserts, now);
    const openDue = new Map(open.map((c) => [c.id, new Date(c.dueAt)]));
    const links = linksFor({
      treatment,
      checkIns: [
        ...rows.map((r) => ({ checkInId: r.id, step: r.step, dayOffset: r.dayOffset, dueAt: r.dueAt })),
        ...plan.merges.map((g) => ({ checkInId: g.checkInId, step: g.planned.step, dayOffset: g.planned.dayOffset, dueAt: openDue.get(g.checkInId)! })),
      ],
      courseEarlier: input.courseEarlier,
      timeZone: zone,
    });
    await this.repo.link(manager, links);
    for (const g of plan.merges) {
      // The owner is the most recent session the check-in counts for: answers are judged from its day.
      if (g.repoint) await this.repo.setOwner(manager, treatment.clinicId, g.checkInId, { treatmentId: treatment.id, step: g.planned.step, dayOffset: g.planned.dayOffset });
      await this.audit.record(manager, {
        clinicId: treatment.clinicId,
        actor,
        action: 'check_in.merged',
        entityType: 'check_in',
        entityId: g.checkInId,
        data: { treatmentId: treatment.id, step: g.planned.step, dayOffset: g.planned.dayOffset, ownerChanged: g.repoint },
      });
    }
    await this.audit.record(manager, {
      clinicId: treatment.clinicId,
      actor,
      action: 'check_ins.planned',
      entityType: 'treatment',
      entityId: treatment.id,
      data: {
        ...auditData,
        checkIns: rows.map((r) => ({ id: r.id, step: r.step, dayOffset: r.dayOffset, dueAt: r.dueAt.toISOString(), status: r.status })),
        ...(plan.merges.length ? { merged: plan.merges.map((g) => ({ id: g.checkInId, step: g.planned.step, dayOffset: g.planned.dayOffset })) } : {}),
      },
    });
    for (const r of rows.filter((x) => x.status === 'expired')) {
      await this.audit.record(manager, {
        clinicId: r.clinicId,
        actor,
        action: 'check_in.expired',
        entityType: 'check_in',
        entityId: r.id,
        data: { treatmentId: r.treatmentId, step: r.step, reason: 'entered after it expired' },
      });
    }
  }
}
