import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { OnCallController } from './on-call.controller';
import { OnCallService } from './on-call.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OnCallShift } from './on-call-shift.entity';

@Module({ imports: [TypeOrmModule.forFeature([OnCallShift]), ClinicsModule], controllers: [OnCallController], providers: [OnCallService], exports: [OnCallService] })
export class OnCallModule {}
