import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { AdminNotices } from './admin-notices';
import { CheckInDeliveryFailures } from './check-in-delivery-failures';
import { CheckInExpiry } from './check-in-expiry';
import { CheckInGuards } from './check-in-guards';
import { CheckInMessages } from './check-in-messages';
import { CheckInQueue } from './check-in-queue';
import { CheckInsService } from './check-ins.service';
import { CheckInDispatcher } from './dispatcher.service';

@Module({
  imports: [PatientsModule, ClinicsModule, MessagingModule],
  providers: [CheckInsService, CheckInDispatcher, CheckInQueue, CheckInMessages, CheckInExpiry, CheckInGuards, CheckInDeliveryFailures, AdminNotices],
  exports: [CheckInsService, CheckInDispatcher, CheckInExpiry, CheckInGuards, CheckInDeliveryFailures],
})
export class CheckInsModule {}
