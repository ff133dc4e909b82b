/** Decides what "everything held about a patient" is: the one list the timeline and the access export both read. */
import { Injectable } from '@nestjs/common';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { FlagEvent } from '../flags/flag-event.entity';
import { Flag } from '../flags/flag.entity';
import { FlagQueueService } from '../flags/flag-queue.service';
import { Message } from '../messaging/message.entity';
import { MessagingService } from '../messaging/messaging.service';
import { Patient } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { ResponsePhoto } from '../photos/photo.entity';
import { PhotosService } from '../photos/photos.service';
import { Response } from '../responses/response.entity';
import { ResponsesService } from '../responses/responses.service';
import { Treatment } from '../treatments/treatment.entity';
import { TreatmentsService } from '../treatments/treatments.service';

/** A patient's record across features, each part in its owner's order (oldest first). */
export interface PatientRecord {
  patient: Patient;
  treatments: Treatment[];
  checkIns: CheckIn[];
  responses: Response[];
  messages: Message[];
  flags: Array<Flag & { history: FlagEvent[] }>;
  /** The photos' rows (their bytes stay in the photo store). */
  photos: ResponsePhoto[];
}

/**
 * Gathers a patient's record through the services that own each part, never their tables:
 * the patient first (404, also for another clinic's), then every part at once.
 */
@Injectable()
export class PatientRecordReader {
  constructor(
    private readonly patients: PatientsService,
    private readonly treatments: TreatmentsService,
    private readonly checkIns: CheckInsService,
    private readonly responses: ResponsesService,
    private readonly messaging: MessagingService,
    private readonly flags: FlagQueueService,
    private readonly photos: PhotosService,
  ) {}

  async read(clinicId: string, patientId: string): Promise<PatientRecord> {
    const patient = await this.patients.get(clinicId, patientId); // 404 for another clinic's patient
    const [treatments, checkIns, responses, messages, flags, photos] = await Promise.all([
      this.treatments.listForPatient(clinicId, patientId),
      this.checkIns.listForPatient(clinicId, patientId),
      this.responses.listForPatient(clinicId, patientId),
      this.messaging.listForPatient(clinicId, patientId),
      this.flags.listForPatient(clinicId, patientId),
      this.photos.listForPatient(clinicId, patientId),
    ]);
    return { patient, treatments, checkIns, responses, messages, flags, photos };
  }
}
