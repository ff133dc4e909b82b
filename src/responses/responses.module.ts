import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { ClinicsModule } from '../clinics/clinics.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { PhotosModule } from '../photos/photos.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { FormController } from './form.controller';
import { InboundMessages } from './inbound-messages';
import { ResponsesController } from './responses.controller';
import { ReplyGuards } from './reply-guards';
import { AnswersService } from './answers.service';
import { Response } from './response.entity';
import { ResponsesRepository } from './responses.repository';
import { ResponsesService } from './responses.service';
import { SmsRepliesService } from './sms-replies.service';
import { SmsWebhookController } from './sms-webhook.controller';

@Module({
  imports: [TypeOrmModule.forFeature([Response]), CheckInsModule, ClinicsModule, FlagsModule, MessagingModule, PatientsModule, PhotosModule, ProtocolsModule, TreatmentsModule],
  controllers: [FormController, SmsWebhookController, ResponsesController],
  providers: [ResponsesService, AnswersService, SmsRepliesService, ResponsesRepository, ReplyGuards, InboundMessages],
  exports: [ResponsesService, ReplyGuards],
})
export class ResponsesModule {}
