import { Module } from '@nestjs/common';
import { BootstrapService } from './bootstrap.service';
import { ClinicsController } from './clinics.controller';
import { ClinicsService } from './clinics.service';

@Module({
  controllers: [ClinicsController],
  providers: [ClinicsService, BootstrapService],
  exports: [ClinicsService],
})
export class ClinicsModule {}
