import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { AdverseEventsController } from './adverse-events.controller';
import { AdverseEventsRepository } from './adverse-events.repository';
import { AdverseEventsService } from './adverse-events.service';

/** The adverse-event log and its CSV and FHIR R4 exports (reads flags, treatments, answers and the audit log). */
@Module({ imports: [ClinicsModule], controllers: [AdverseEventsController], providers: [AdverseEventsService, AdverseEventsRepository] })
export class AdverseEventsModule {}
