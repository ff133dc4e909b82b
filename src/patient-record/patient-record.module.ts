import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { PhotosModule } from '../photos/photos.module';
import { ResponsesModule } from '../responses/responses.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { PatientRecordReader } from './patient-record.reader';

/** A patient's whole record, read through its owners: above the features it reads, below the timeline and patient rights that use it. */
@Module({
  imports: [PatientsModule, TreatmentsModule, CheckInsModule, ResponsesModule, MessagingModule, FlagsModule, PhotosModule],
  providers: [PatientRecordReader],
  exports: [PatientRecordReader],
})
export class PatientRecordModule {}
