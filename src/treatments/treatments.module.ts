import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { ClinicsModule } from '../clinics/clinics.module';
import { PatientsModule } from '../patients/patients.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { BodyAreasController } from './body-areas.controller';
import { TreatmentsController } from './treatments.controller';
import { TreatmentsService } from './treatments.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Treatment } from './treatment.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Treatment]), PatientsModule, ClinicsModule, ProtocolsModule, CheckInsModule],
  controllers: [TreatmentsController, BodyAreasController],
  providers: [TreatmentsService],
  exports: [TreatmentsService],
})
export class TreatmentsModule {}
