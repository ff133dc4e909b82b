import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor } from '../common/actor';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { ClinicsService } from '../clinics/clinics.service';
import { FlagQueueService } from '../flags/flag-queue.service';
import { FlagTriageService } from '../flags/flag-triage.service';
import { chooseChannel } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { ProtocolsService } from '../protocols/protocols.service';
import { TreatmentsService } from '../treatments/treatments.service';
import { ExtraCheckInDto } from './dto/extra-check-in.dto';

export interface ExtraCheckInResult {
  flagId: string;
  /** True when the patient already had a check-in open that day: it is the one they will get. */
  reused: boolean;
  checkIn: CheckIn;
}

/**
 * Decides whether a flag's patient can get an extra check-in, and records it as the flag's
 * triage step: the steps that need both flags and check-ins. `check-ins` imports `flags` (lost to
 * follow-up), so this sits above both instead of making flags import check-ins.
 */
@Injectable()
export class TriageService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly flags: FlagQueueService,
    private readonly flagTriage: FlagTriageService,
    private readonly checkIns: CheckInsService,
    private readonly treatments: TreatmentsService,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly protocols: ProtocolsService,
  ) {}

  /** "See how she is in N days": one extra check-in for the flag's treatment, in the flag's history. */
  async requestExtraCheckIn(clinicId: string, flagId: string, actor: Actor, dto: ExtraCheckInDto): Promise<ExtraCheckInResult> {
    const flag = await this.flags.get(clinicId, flagId);
    if (!flag.treatmentId) throw new ConflictException('The flag is not about a treatment, so there is no check-in to plan');
    // Protocols are immutable once used: read before the transaction, which must not take a second connection.
    const protocol = await this.protocols.get(clinicId, (await this.treatments.get(clinicId, flag.treatmentId)).protocolId);
    return this.db.transaction(async (tx) => {
      // The patient's planning lock before the flag's row: treatment planning takes that lock and
      // then check-in rows, answers take check-in rows and then flags; this order closes the cycle.
      await this.checkIns.lockPatientPlan(tx, flag.patientId);
      const locked = await this.flagTriage.lockForTriage(tx, clinicId, flagId, ['open', 'acknowledged']);
      const treatment = await this.treatments.get(clinicId, locked.treatmentId!, tx);
      if (treatment.status !== 'active') throw new ConflictException(`The treatment is ${treatment.status}; no check-in can be planned for it`);
      const patient = await this.patients.get(clinicId, treatment.patientId, tx);
      if (!chooseChannel(patient)) throw new ConflictException('The patient has no channel left to reach them (opted out or no valid contact)');
      const clinic = await this.clinics.get(clinicId, tx);
      const { checkIn, reused } = await this.checkIns.planExtra(tx, { treatment, patient, clinic, protocol, inDays: dto.inDays, flagId }, actor);
      const common = { checkInId: checkIn.id, inDays: dto.inDays, dueAt: checkIn.dueAt.toISOString(), reused };
      await this.flagTriage.recordTriageStep(tx, locked, actor, {
        kind: 'extra_check_in_requested',
        eventData: { ...common, ...(dto.note ? { note: dto.note } : {}) },
        action: 'flag.extra_check_in_requested',
        auditData: { ...common, hasNote: !!dto.note },
      });
      return { flagId, reused, checkIn };
    });
  }
}
