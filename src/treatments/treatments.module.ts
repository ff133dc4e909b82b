import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClinicsModule } from '../clinics/clinics.module';
import { PatientsModule } from '../patients/patients.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { ProtocolUsageModule } from './protocol-usage.module';
import { Treatment } from './treatment.entity';
import { TreatmentsRepository } from './treatments.repository';
import { TreatmentsService } from './treatments.service';

@Module({
  imports: [TypeOrmModule.forFeature([Treatment]), PatientsModule, ClinicsModule, ProtocolsModule, ProtocolUsageModule],
  providers: [TreatmentsService, TreatmentsRepository],
  exports: [TreatmentsService],
})
export class TreatmentsModule {}
