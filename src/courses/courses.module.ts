import { Module } from '@nestjs/common';
import { CheckInsModule } from '../check-ins/check-ins.module';
import { ClinicsModule } from '../clinics/clinics.module';
import { PatientsModule } from '../patients/patients.module';
import { ProtocolsModule } from '../protocols/protocols.module';
import { BodyAreasController } from '../treatments/body-areas.controller';
import { TreatmentsModule } from '../treatments/treatments.module';
import { CoursesService } from './courses.service';
import { TreatmentsController } from './treatments.controller';

/** Treatment sessions with their follow-up: above treatments and check-ins, which it joins. */
@Module({
  imports: [TreatmentsModule, CheckInsModule, PatientsModule, ClinicsModule, ProtocolsModule],
  // The body-area list is served after the treatment routes (its place in the OpenAPI document).
  controllers: [TreatmentsController, BodyAreasController],
  providers: [CoursesService],
  exports: [CoursesService],
})
export class CoursesModule {}
