import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import type { Clinic } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import type { Patient } from '../patients/patient.entity';
import type { Protocol } from '../protocols/protocol.entity';
import type { Session } from '../treatments/course';
import type { Treatment } from '../treatments/treatment.entity';
import { CheckInCancellation } from './check-in-cancellation.service';
import { CheckInPlanning } from './check-in-planning.service';
import { CheckInTokens, TokenLookup } from './check-in-tokens.service';
import type { CheckIn } from './check-in.entity';
import { CheckInsRepository } from './check-ins.repository';
import { ExtraCheckIns } from './extra-check-ins.service';

// Kept where callers outside this split import them from (the dispatcher, the form).

/**
 * Decides a check-in's state as answers come in (answered, clarification asked) and what other
 * features read of check-ins; the one door other features use, handing planning, cancelling,
 * tokens and extra check-ins to the services named for them in this folder.
 */
@Injectable()
export class CheckInsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: CheckInsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly planning: CheckInPlanning,
    private readonly cancellation: CheckInCancellation,
    private readonly tokens: CheckInTokens,
    private readonly extra: ExtraCheckIns,
  ) {}

  // --- Planning (CheckInPlanning, ExtraCheckIns) ---

  /** Planning for one patient is serialised: two sessions recorded at once must not both take a day. Take it before reading the patient's sessions. */
  lockPatientPlan(manager: EntityManager, patientId: string): Promise<void> {
    return this.planning.lockPatientPlan(manager, patientId);
  }

  /** Plans the session's check-ins into the patient's course (see CheckInPlanning.planForTreatment); the check-ins that count for it. */
  async planForTreatment(
    manager: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; sendInstructions?: boolean; sessions?: Session[] },
    actor: Actor,
  ): Promise<Array<CheckIn & { treatmentIds: string[] }>> {
    await this.planning.planForTreatment(manager, input, actor);
    return this.listForTreatment(input.treatment.clinicId, input.treatment.id, manager);
  }

  /** The course's late steps planned again from `treatment` after its last session was cancelled; the check-ins that count for it. */
  async replanLateSteps(
    manager: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; sessions: Session[]; cancelledId: string },
    actor: Actor,
  ): Promise<CheckIn[]> {
    await this.planning.replanLateSteps(manager, input, actor);
    return this.listForTreatment(input.treatment.clinicId, input.treatment.id, manager);
  }

  /** An extra check-in asked for from a flag, or the open one of that day reused (see ExtraCheckIns). */
  planExtra(
    manager: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; inDays: number; flagId: string },
    actor: Actor,
  ): Promise<{ checkIn: CheckIn; reused: boolean }> {
    return this.extra.plan(manager, input, actor);
  }

  // --- Cancelling (CheckInCancellation) ---

  /** The treatment's open check-ins when it is cancelled: kept for another session or cancelled; how many were cancelled. */
  cancelForTreatment(manager: EntityManager, clinicId: string, treatmentId: string, actor: Actor, activeSessions: Session[] = []): Promise<number> {
    return this.cancellation.cancelForTreatment(manager, clinicId, treatmentId, actor, activeSessions);
  }

  /** Every check-in of the patient still to be sent or answered is cancelled (erasure); their links die with them. */
  cancelForPatient(manager: EntityManager, clinicId: string, patientId: string, actor: Actor, reason: string): Promise<number> {
    return this.cancellation.cancelForPatient(manager, clinicId, patientId, actor, reason);
  }

  /** Erasure: delivery errors may have quoted the patient's number or address; none is kept. */
  eraseErrorsForPatient(manager: EntityManager, clinicId: string, patientId: string): Promise<number> {
    return this.repo.eraseErrorsOfPatient(manager, clinicId, patientId);
  }

  // --- Links (CheckInTokens) ---

  /** A new link for a message about this check-in; only its hash is kept. */
  issueToken(manager: EntityManager, checkIn: Pick<CheckIn, 'id' | 'clinicId'>): Promise<{ token: string; link: string }> {
    return this.tokens.issue(manager, checkIn);
  }

  /** New links for many check-ins at once (a dispatcher round), in their order. */
  issueTokens(manager: EntityManager, checkIns: Array<Pick<CheckIn, 'id' | 'clinicId'>>): Promise<Array<{ token: string; link: string }>> {
    return this.tokens.issueMany(manager, checkIns);
  }

  /**
   * Reading a link changes nothing: mail scanners open links too. The one read of a check-in
   * without a clinic id, and rightly: the token is the credential and identifies its check-in,
   * and the check-in found carries its clinic_id, which every later query of the answer uses.
   */
  lookupToken(token: string, manager: EntityManager = this.db.manager, lock = false): Promise<TokenLookup> {
    return this.tokens.lookup(token, manager, lock);
  }

  // --- Answers coming in ---

  /** The check-in an SMS reply answers: the patient's most recently sent one still open. */
  openCheckInForPatient(manager: EntityManager, clinicId: string, patientId: string): Promise<CheckIn | null> {
    return this.repo.lockLatestSentOfPatient(manager, clinicId, patientId, this.clock.now());
  }

  async markAnswered(manager: EntityManager, checkIn: CheckIn, actor: Actor, responseId: string): Promise<void> {
    await this.repo.markAnswered(manager, checkIn.clinicId, checkIn.id, this.clock.now());
    await this.audit.record(manager, {
      clinicId: checkIn.clinicId,
      actor,
      action: 'check_in.answered',
      entityType: 'check_in',
      entityId: checkIn.id,
      data: { treatmentId: checkIn.treatmentId, responseId },
    });
  }

  async noteClarification(manager: EntityManager, checkIn: CheckIn): Promise<void> {
    await this.repo.countClarification(manager, checkIn.clinicId, checkIn.id);
  }

  // --- Reading ---

  /** The check-ins that count for the treatment (merged ones included), with every session each counts for. */
  async listForTreatment(clinicId: string, treatmentId: string, manager: EntityManager = this.db.manager): Promise<Array<CheckIn & { treatmentIds: string[] }>> {
    const rows = await this.repo.listForTreatment(manager, clinicId, treatmentId);
    const links = await this.repo.linksOf(manager, clinicId, rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, treatmentIds: links.filter((l) => l.checkInId === r.id).map((l) => l.treatmentId) }));
  }

  /** The sessions a check-in counts for (its merged steps and the course's late steps). */
  treatmentIdsOf(manager: EntityManager, clinicId: string, checkInId: string): Promise<string[]> {
    return this.repo.treatmentIdsOf(manager, clinicId, checkInId);
  }

  listForPatient(clinicId: string, patientId: string): Promise<CheckIn[]> {
    return this.repo.listForPatient(this.db.manager, clinicId, patientId);
  }
}
