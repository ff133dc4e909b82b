import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { OnCallModule } from '../on-call/on-call.module';
import { PhotosModule } from '../photos/photos.module';
import { FlagAssessmentController } from './assessment.controller';
import { EscalationService } from './escalation.service';
import { FlagsController } from './flags.controller';
import { FlagsService } from './flags.service';

@Module({
  imports: [ClinicsModule, MessagingModule, OnCallModule, PhotosModule],
  controllers: [FlagsController, FlagAssessmentController],
  providers: [FlagsService, EscalationService],
  exports: [FlagsService, EscalationService],
})
export class FlagsModule {}
