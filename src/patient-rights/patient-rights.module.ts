import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientRecordModule } from '../patient-record/patient-record.module';
import { PatientsModule } from '../patients/patients.module';
import { PhotosModule } from '../photos/photos.module';
import { PatientRightsController } from './patient-rights.controller';
import { PatientRightsService } from './patient-rights.service';

/** Access export, erasure and legal hold: above the features it reads from and erases through. */
@Module({
  imports: [PatientRecordModule, PatientsModule, CheckInsModule, MessagingModule, PhotosModule],
  controllers: [PatientRightsController],
  providers: [PatientRightsService],
})
export class PatientRightsModule {}
