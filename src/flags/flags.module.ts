import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { OnCallModule } from '../on-call/on-call.module';
import { PhotosModule } from '../photos/photos.module';
import { FlagAssessmentController } from './assessment.controller';
import { EscalationService } from './escalation.service';
import { FlagsController } from './flags.controller';
import { FlagsService } from './flags.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FlagCase } from './flag-case.entity';
import { FlagEvent } from './flag-event.entity';
import { Flag } from './flag.entity';

@Module({
  imports: [TypeOrmModule.forFeature([FlagCase, FlagEvent, Flag]), ClinicsModule, MessagingModule, OnCallModule, PhotosModule],
  controllers: [FlagsController, FlagAssessmentController],
  providers: [FlagsService, EscalationService],
  exports: [FlagsService, EscalationService],
})
export class FlagsModule {}
