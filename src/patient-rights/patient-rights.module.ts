import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { PhotosModule } from '../photos/photos.module';
import { ResponsesModule } from '../responses/responses.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { PatientRightsController } from './patient-rights.controller';
import { PatientRightsService } from './patient-rights.service';

/** Access export, erasure and legal hold: above the features it reads from and erases through. */
@Module({
  imports: [PatientsModule, TreatmentsModule, CheckInsModule, ResponsesModule, MessagingModule, FlagsModule, PhotosModule],
  controllers: [PatientRightsController],
  providers: [PatientRightsService],
})
export class PatientRightsModule {}
