import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClinicsModule } from '../clinics/clinics.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { AftercareInstructions } from './aftercare-instructions.service';
import { CheckInCancellation } from './check-in-cancellation.service';
import { CheckInPlanning } from './check-in-planning.service';
import { CheckInToken } from './check-in-token.entity';
import { CheckInTokens } from './check-in-tokens.service';
import { CheckInTreatment } from './check-in-treatment.entity';
import { CheckIn } from './check-in.entity';
import { CheckInsRepository } from './check-ins.repository';
import { CheckInsService } from './check-ins.service';
import { CheckInDispatcher } from './dispatcher.service';
import { ExtraCheckIns } from './extra-check-ins.service';

@Module({
  imports: [TypeOrmModule.forFeature([CheckIn, CheckInTreatment, CheckInToken]), PatientsModule, ClinicsModule, MessagingModule, FlagsModule],
  providers: [CheckInsRepository, CheckInPlanning, AftercareInstructions, CheckInCancellation, CheckInTokens, ExtraCheckIns, CheckInsService, CheckInDispatcher],
  exports: [CheckInsService, CheckInDispatcher],
})
export class CheckInsModule {}
