import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor } from '../common/actor';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { ClinicsService } from '../clinics/clinics.service';
import { FlagsService } from '../flags/flags.service';
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
 * Triage steps that need both flags and check-ins. `check-ins` imports `flags` (lost to
 * follow-up), so this sits above both instead of making flags import check-ins.
 */
@Injectable()
export class TriageService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly flags: FlagsService,
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
    const protocol = await this.protocols.get((await this.treatments.get(clinicId, flag.treatmentId)).protocolId);
    return this.db.transaction(async (m) => {
      // The patient's planning lock before the flag's row: treatment planning takes that lock and
      // then check-in rows, answers take check-in rows and then flags; this order closes the cycle.
      await this.checkIns.lockPatientPlan(m, flag.patientId);
      const locked = await this.flags.lockForTriage(m, clinicId, flagId, ['open', 'acknowledged']);
      const treatment = await this.treatments.findById(locked.treatmentId!, m);
      if (treatment.status !== 'active') throw new ConflictException(`The treatment is ${treatment.status}; no check-in can be planned for it`);
      const patient = await this.patients.findById(treatment.patientId, m);
      if (!chooseChannel(patient)) throw new ConflictException('The patient has no channel left to reach them (opted out or no valid contact)');
      const clinic = await this.clinics.get(clinicId, m);
      const { checkIn, reused } = await this.checkIns.planExtra(m, { treatment, patient, clinic, protocol, inDays: dto.inDays, flagId }, actor);
      const common = { checkInId: checkIn.id, inDays: dto.inDays, dueAt: checkIn.dueAt.toISOString(), reused };
      await this.flags.recordTriageStep(m, locked, actor, {
        kind: 'extra_check_in_requested',
        eventData: { ...common, ...(dto.note ? { note: dto.note } : {}) },
        action: 'flag.extra_check_in_requested',
        auditData: { ...common, hasNote: !!dto.note },
      });
      return { flagId, reused, checkIn };
    });
  }
}
