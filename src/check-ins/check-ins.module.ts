import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { CheckInsService } from './check-ins.service';
import { CheckInDispatcher } from './dispatcher.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CheckIn, CheckInToken, CheckInTreatment } from './check-in.entity';

@Module({
  imports: [TypeOrmModule.forFeature([CheckIn, CheckInToken, CheckInTreatment]), PatientsModule, ClinicsModule, MessagingModule, FlagsModule],
  providers: [CheckInsService, CheckInDispatcher],
  exports: [CheckInsService, CheckInDispatcher],
})
export class CheckInsModule {}
