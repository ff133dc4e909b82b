import { Module } from '@nestjs/common';
import { BootstrapService } from './bootstrap.service';
import { ClinicSettingsController } from './clinic-settings.controller';
import { ClinicsController } from './clinics.controller';
import { ClinicsService } from './clinics.service';

@Module({
  controllers: [ClinicsController, ClinicSettingsController],
  providers: [ClinicsService, BootstrapService],
  exports: [ClinicsService],
})
export class ClinicsModule {}
