import { Module } from '@nestjs/common';
import { PatientRecordReader } from './patient-record.reader';
import { PatientRecordRepository } from './patient-record.repository';

/** A patient's whole record, read in one statement: above the features it reads, below the timeline and patient rights that use it. */
@Module({
  providers: [PatientRecordReader, PatientRecordRepository],
  exports: [PatientRecordReader],
})
export class PatientRecordModule {}
