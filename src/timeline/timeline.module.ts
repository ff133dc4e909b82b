import { Module } from '@nestjs/common';
import { PatientRecordModule } from '../patient-record/patient-record.module';
import { PhotosModule } from '../photos/photos.module';
import { TimelineController } from './timeline.controller';
import { TimelineService } from './timeline.service';

/** Sits above the feature modules it reads from (through PatientRecordReader), so none of them needs to know about it. */
@Module({
  imports: [PatientRecordModule, PhotosModule],
  controllers: [TimelineController],
  providers: [TimelineService],
})
export class TimelineModule {}
