import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { ClinicsModule } from '../clinics/clinics.module';
import { FlagsModule } from '../flags/flags.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PatientsModule } from '../patients/patients.module';
import { PhotosModule } from '../photos/photos.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { TreatmentsModule } from '../treatments/treatments.module';
import { FormController } from './form.controller';
import { ResponsesController } from './responses.controller';
import { ReplyGuards } from './reply-guards';
import { ResponsesService } from './responses.service';
import { SmsWebhookController } from './sms-webhook.controller';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Response } from './response.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Response]), CheckInsModule, ClinicsModule, FlagsModule, MessagingModule, PatientsModule, PhotosModule, ProtocolsModule, TreatmentsModule],
  controllers: [FormController, SmsWebhookController, ResponsesController],
  providers: [ResponsesService, ReplyGuards],
  exports: [ResponsesService],
})
export class ResponsesModule {}
