import { Module } from '@nestjs/common';
import { BootstrapService } from './bootstrap.service';
import { ClinicSettingsController } from './clinic-settings.controller';
import { ClinicsController } from './clinics.controller';
import { ClinicsRepository } from './clinics.repository';
import { ClinicsService } from './clinics.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clinic } from './clinic.entity';
import { StaffUser } from './staff-user.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Clinic, StaffUser])],
  controllers: [ClinicsController, ClinicSettingsController],
  providers: [ClinicsService, ClinicsRepository, BootstrapService],
  exports: [ClinicsService],
})
export class ClinicsModule {}
