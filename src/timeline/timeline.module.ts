import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { PhotosModule } from '../photos/photos.module';
import { ResponsesModule } from '../responses/responses.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { TimelineController } from './timeline.controller';
import { TimelineService } from './timeline.service';

/** Sits above the feature modules it reads from, so none of them needs to know about it. */
@Module({
  imports: [PatientsModule, TreatmentsModule, CheckInsModule, ResponsesModule, MessagingModule, FlagsModule, PhotosModule],
  controllers: [TimelineController],
  providers: [TimelineService],
})
export class TimelineModule {}
