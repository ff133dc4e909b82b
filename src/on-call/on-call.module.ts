import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClinicsModule } from '../clinics/clinics.module';
import { OnCallShift } from './on-call-shift.entity';
import { OnCallController } from './on-call.controller';
import { OnCallRepository } from './on-call.repository';
import { OnCallService } from './on-call.service';

@Module({
  imports: [TypeOrmModule.forFeature([OnCallShift]), ClinicsModule],
  controllers: [OnCallController],
  providers: [OnCallRepository, OnCallService],
  exports: [OnCallService],
})
export class OnCallModule {}
