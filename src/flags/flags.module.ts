import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { OnCallModule } from '../on-call/on-call.module';
import { PhotosModule } from '../photos/photos.module';
import { FlagAssessmentController } from './assessment.controller';
import { EscalationService } from './escalation.service';
import { FlagCase } from './flag-case.entity';
import { FlagCasesService } from './flag-cases.service';
import { FlagEvent } from './flag-event.entity';
import { FlagQueueService } from './flag-queue.service';
import { FlagTriageService } from './flag-triage.service';
import { Flag } from './flag.entity';
import { FlagsController } from './flags.controller';
import { FlagsRepository } from './flags.repository';
import { FlagsService } from './flags.service';
import { UrgentMessagesService } from './urgent-messages.service';

/**
 * Flags: raising them from evidence (FlagsService), the urgent messages they send, their queues
 * (FlagQueueService), their triage steps (FlagTriageService), their cases and escalation.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Flag, FlagEvent, FlagCase]), ClinicsModule, MessagingModule, OnCallModule, PhotosModule],
  controllers: [FlagsController, FlagAssessmentController],
  providers: [FlagsRepository, FlagCasesService, FlagsService, UrgentMessagesService, FlagQueueService, FlagTriageService, EscalationService],
  exports: [FlagsService, FlagQueueService, FlagTriageService, EscalationService],
})
export class FlagsModule {}
