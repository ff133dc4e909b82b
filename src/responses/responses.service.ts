/** Decides whether a form submission may be stored (its token is used once) and records who reads a patient's answers. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { CheckInsService } from '../check-ins/check-ins.service';
import { PatientsService } from '../patients/patients.service';
import { ProcessedPhoto } from '../photos/image';
import { PhotosService } from '../photos/photos.service';
import { readSigns } from '../protocols/sign-reader';
import { TreatmentsService } from '../treatments/treatments.service';
import { AnswersService } from './answers.service';
import { FormAnswers } from './form-answers';
import { Response } from './response.entity';
import { ResponsesRepository } from './responses.repository';

export type FormSubmission =
  | { state: 'stored'; responseId: string; safetyAdvice: string | null }
  | { state: 'unknown' | 'answered' | 'expired' | 'closed' };

/** Answers by the web form, and the patient's answers as staff read them. */
@Injectable()
export class ResponsesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ResponsesRepository,
    private readonly audit: AuditService,
    private readonly checkIns: CheckInsService,
    private readonly patients: PatientsService,
    private readonly treatments: TreatmentsService,
    private readonly photos: PhotosService,
    private readonly answers: AnswersService,
  ) {}

  /** The form uses its token once: the check-in row is locked, answered, and every link to it dies. */
  async submitForm(token: string, answers: FormAnswers, photos: ProcessedPhoto[] = []): Promise<FormSubmission> {
    // The answer and its photos commit together or not at all (uploads to an object store are taken back).
    const result = await this.photos.withUploads((written) => this.db.transaction(async (tx): Promise<{ sub: FormSubmission; urgent: string[] }> => {
      const found = await this.checkIns.lookupToken(token, tx, true);
      if (found.state !== 'open') return { sub: { state: found.state }, urgent: [] };
      const checkIn = found.checkIn;
      const patient = await this.patients.get(checkIn.clinicId, checkIn.patientId, tx);
      const actor: Actor = { type: 'patient', id: patient.id };
      const stored = await this.answers.store(tx, {
        checkIn,
        patient,
        treatment: await this.treatments.ofCheckIn(tx, checkIn),
        source: 'form',
        scores: answers.scores,
        warningSigns: answers.warningSigns,
        signReadings: readSigns(answers.freeText ?? ''),
        freeText: answers.freeText,
        rawText: null,
        messageId: null,
        actor,
        replyChannel: null,
        photos: { items: photos, written, source: 'form' },
      });
      return { sub: { state: 'stored', responseId: stored.response.id, safetyAdvice: stored.evaluation.safetyAdvice }, urgent: stored.evaluation.urgentMessageIds };
    }));
    await this.answers.deliverUrgent(result.urgent);
    return result.sub;
  }

  /** The patient's answers, read by `actor`: the read is on the record (patient.responses_viewed) before it is answered. */
  async viewForPatient(clinicId: string, patientId: string, actor: Actor): Promise<Response[]> {
    const items = await this.listForPatient(clinicId, patientId);
    await this.audit.recordAccess({ clinicId, actor, action: 'patient.responses_viewed', entityType: 'patient', entityId: patientId, data: { count: items.length } });
    return items;
  }

  async listForPatient(clinicId: string, patientId: string): Promise<Response[]> {
    await this.patients.get(clinicId, patientId);
    return this.repo.listForPatient(clinicId, patientId);
  }
}
