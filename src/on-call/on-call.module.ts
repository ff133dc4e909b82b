import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { OnCallController } from './on-call.controller';
import { OnCallService } from './on-call.service';

@Module({ imports: [ClinicsModule], controllers: [OnCallController], providers: [OnCallService], exports: [OnCallService] })
export class OnCallModule {}
