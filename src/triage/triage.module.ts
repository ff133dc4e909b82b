import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { ClinicsModule } from '../clinics/clinics.module';
import { FlagsModule } from '../flags/flags.module';
import { PatientsModule } from '../patients/patients.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { TriageController } from './triage.controller';
import { TriageService } from './triage.service';

/** Coordinates flags and check-ins (flags must not import check-ins). */
@Module({
  imports: [FlagsModule, CheckInsModule, TreatmentsModule, PatientsModule, ClinicsModule, ProtocolsModule],
  controllers: [TriageController],
  providers: [TriageService],
})
export class TriageModule {}
