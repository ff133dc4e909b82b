import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { FlagAssessmentController } from './assessment.controller';
import { FlagAssessmentService } from './assessment.service';
import { FlagsController } from './flags.controller';
import { FlagsService } from './flags.service';

@Module({
  imports: [ClinicsModule, MessagingModule],
  controllers: [FlagsController, FlagAssessmentController],
  providers: [FlagsService, FlagAssessmentService],
  exports: [FlagsService, FlagAssessmentService],
})
export class FlagsModule {}
