import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { AdminNotices } from './admin-notices';
import { AftercareInstructions } from './aftercare-instructions.service';
import { CheckInCancellation } from './check-in-cancellation.service';
import { CheckInDeliveryFailures } from './check-in-delivery-failures';
import { CheckInDispatchRepository } from './check-in-dispatch.repository';
import { CheckInExpiry } from './check-in-expiry';
import { CheckInGuards } from './check-in-guards';
import { CheckInMessages } from './check-in-messages';
import { CheckInPlanning } from './check-in-planning.service';
import { CheckInQueue } from './check-in-queue';
import { CheckInToken } from './check-in-token.entity';
import { CheckInTokens } from './check-in-tokens.service';
import { CheckInTreatment } from './check-in-treatment.entity';
import { CheckIn } from './check-in.entity';
import { CheckInsRepository } from './check-ins.repository';
import { CheckInsService } from './check-ins.service';
import { CheckInDispatcher } from './dispatcher.service';
import { ExtraCheckIns } from './extra-check-ins.service';

@Module({
  imports: [TypeOrmModule.forFeature([CheckIn, CheckInTreatment, CheckInToken]), PatientsModule, ClinicsModule, MessagingModule],
  providers: [
    CheckInsRepository, CheckInPlanning, AftercareInstructions, CheckInCancellation, CheckInTokens, ExtraCheckIns, CheckInsService,
    CheckInDispatchRepository, CheckInDispatcher, CheckInQueue, CheckInMessages, CheckInExpiry, CheckInGuards, CheckInDeliveryFailures, AdminNotices,
  ],
  exports: [CheckInsService, CheckInDispatcher, CheckInExpiry, CheckInGuards, CheckInDeliveryFailures],
})
export class CheckInsModule {}
