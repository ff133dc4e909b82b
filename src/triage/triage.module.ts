import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { ClinicsModule } from '../clinics/clinics.module';
import { FlagsModule } from '../flags/flags.module';
import { PatientsModule } from '../patients/patients.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { MessagingModule } from '../messaging/messaging.module';
import { ResponsesModule } from '../responses/responses.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { CasesController, EventsController } from './cases.controller';
import { CasesService } from './cases.service';
import { FlagChangesService } from './flag-changes.service';
import { LoopWiring } from './loop-wiring';
import { TriageController } from './triage.controller';
import { TriageService } from './triage.service';

/** Coordinates flags with check-ins, patients and treatments: extra check-ins, the case view, live flag changes. */
@Module({
  imports: [FlagsModule, CheckInsModule, TreatmentsModule, PatientsModule, ClinicsModule, ProtocolsModule, MessagingModule, ResponsesModule],
  controllers: [TriageController, CasesController, EventsController],
  providers: [TriageService, CasesService, FlagChangesService, LoopWiring],
})
export class TriageModule {}
