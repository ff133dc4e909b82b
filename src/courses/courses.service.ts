/** Decides how recording or cancelling a treatment session re-plans the patient's course of check-ins. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor } from '../common/actor';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { ClinicsService } from '../clinics/clinics.service';
import { PatientsService } from '../patients/patients.service';
import { ProtocolsService } from '../protocols/protocols.service';
import { courseSessionsAt, isLastOfCourse } from '../treatments/course';
import { CancelTreatmentDto, CreateTreatmentDto } from '../treatments/dto/treatment.dto';
import { Treatment } from '../treatments/treatment.entity';
import { TreatmentsService } from '../treatments/treatments.service';

export type CourseCheckIn = CheckIn & { treatmentIds: string[] };

/**
 * A session and its follow-up together: a new session is recorded and its check-ins planned
 * into the patient's course in one transaction; a cancelled one takes its check-ins with it and
 * hands the course's late steps to the latest remaining session. Sits above treatments and
 * check-ins, so neither needs to know the other.
 */
@Injectable()
export class CoursesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly treatments: TreatmentsService,
    private readonly checkIns: CheckInsService,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly protocols: ProtocolsService,
  ) {}

  /** The treatment and its planned check-ins, in one transaction. */
  async create(clinicId: string, actor: Actor, dto: CreateTreatmentDto): Promise<Treatment & { checkIns: CourseCheckIn[] }> {
    const ctx = await this.treatments.prepare(clinicId, dto);
    const { now, performedAt, patient, clinic, protocol } = ctx;
    return this.db.transaction(async (tx) => {
      const treatment = await this.treatments.insert(tx, clinicId, actor, dto, ctx);
      // Instructions about "the coming days" make no sense for a treatment back-filled days later.
      const sendInstructions = dto.sendInstructions ?? now.getTime() - performedAt.getTime() < 48 * 3600_000;
      await this.checkIns.lockPatientPlan(tx, patient.id);
      const sessions = await this.treatments.activeSessions(tx, clinicId, patient.id);
      const checkIns = await this.checkIns.planForTreatment(tx, { treatment, patient, clinic, protocol, sendInstructions, sessions }, actor);
      return { ...treatment, checkIns };
    });
  }

  /** The treatment cancelled, its check-ins with it, and the course's late steps planned again: one transaction. */
  async cancel(clinicId: string, id: string, actor: Actor, dto: CancelTreatmentDto): Promise<Treatment & { cancelledCheckIns: number }> {
    return this.db.transaction(async (tx) => {
      const t = await this.treatments.lockForCancel(tx, clinicId, id);
      await this.checkIns.lockPatientPlan(tx, t.patientId);
      const before = await this.treatments.activeSessions(tx, clinicId, t.patientId);
      await this.treatments.markCancelled(tx, t, actor, dto);
      const remaining = before.filter((s) => s.id !== id);
      const cancelledCheckIns = await this.checkIns.cancelForTreatment(tx, clinicId, id, actor, remaining);
      // The course keeps its late steps: they now run from the latest remaining session.
      const course = courseSessionsAt(before, t.performedAt, t);
      const heir = isLastOfCourse(before, t) ? course.filter((s) => s.id !== id).at(-1) : undefined;
      if (heir) {
        const patient = await this.patients.get(clinicId, t.patientId, tx);
        const clinic = await this.clinics.get(clinicId, tx);
        const protocol = await this.protocols.get(clinicId, heir.protocolId, tx);
        await this.checkIns.replanLateSteps(tx, { treatment: heir, patient, clinic, protocol, sessions: remaining, cancelledId: id }, actor);
      }
      return { ...t, cancelledCheckIns };
    });
  }

  /** The check-ins that count for the clinic's treatment (404 if it is not the clinic's). */
  async checkInsOf(clinicId: string, id: string): Promise<CourseCheckIn[]> {
    await this.treatments.get(clinicId, id);
    return this.checkIns.listForTreatment(clinicId, id);
  }
}
