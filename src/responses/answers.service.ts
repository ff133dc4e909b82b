/** Decides which session and day an answer counts for, stores it with its photos, closes its check-in and has the rules judge it. */
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { localDaysBetween } from '../check-ins/course-plan';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { Evaluation, FlagsService } from '../flags/flags.service';
import { AnswerForRules } from '../flags/rules';
import { MessagingService } from '../messaging/messaging.service';
import { Channel, Patient } from '../patients/patient.entity';
import { ProcessedPhoto } from '../photos/image';
import { StoredPhotoRef } from '../photos/photo-store';
import { PhotosService } from '../photos/photos.service';
import { ProtocolsService } from '../protocols/protocols.service';
import { SYMPTOMS, SymptomScores, WarningSign } from '../protocols/questions';
import { SignReading } from '../protocols/sign-reader';
import { Treatment } from '../treatments/treatment.entity';
import { TreatmentsService } from '../treatments/treatments.service';
import { Response } from './response.entity';
import { ResponsesRepository } from './responses.repository';

/** One answer to store, by the form or by SMS. */
export interface AnswerInput {
  checkIn: CheckIn | null;
  patient: Patient;
  /** The patient's clinic when the caller has it already (else read here). */
  clinic?: Clinic;
  /** The session the answer is for, or how to read it: needed only when the patient has no session performed before now. */
  treatment: Treatment | (() => Promise<Treatment>);
  source: 'form' | 'sms';
  scores: SymptomScores | null;
  /** Ticked on the form, or (SMS) the signs its words name that count. */
  warningSigns: WarningSign[];
  /** How the signs named in the patient's words were read, negated ones too. */
  signReadings: SignReading[];
  freeText: string | null;
  rawText: string | null;
  messageId: string | null;
  actor: Actor;
  replyChannel: Channel | null;
  /** Stored with the answer in this transaction; `written` collects uploads to take back if it fails. */
  photos?: { items: ProcessedPhoto[]; written: StoredPhotoRef[]; source: 'form' | 'mms' };
  /** Photos that will join this answer later (an MMS's media, queued for MmsIntake). */
  photosToCome?: number;
}

@Injectable()
export class AnswersService {
  private readonly logger = new Logger('Responses');

  constructor(
    private readonly repo: ResponsesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly checkIns: CheckInsService,
    private readonly clinics: ClinicsService,
    private readonly treatments: TreatmentsService,
    private readonly protocols: ProtocolsService,
    private readonly flags: FlagsService,
    private readonly messaging: MessagingService,
    private readonly metrics: Metrics,
    private readonly photos: PhotosService,
  ) {}

  /** The answer, the check-in it closes, its audit event and the rules' verdict: one transaction. */
  async store(tx: EntityManager, input: AnswerInput): Promise<{ response: Response; evaluation: Evaluation }> {
    const now = this.clock.now();
    const clinic = input.clinic?.id === input.patient.clinicId ? input.clinic : await this.clinics.get(input.patient.clinicId, tx);
    const zone = input.patient.timeZone ?? clinic.timeZone;
    // In a course an answer (a merged check-in counts for several sessions) is judged from the most recent session before it.
    const linked = input.checkIn ? new Set(await this.checkIns.treatmentIdsOf(tx, input.checkIn.clinicId, input.checkIn.id)) : null;
    const course = await this.treatments.courseAt(tx, input.patient, now, linked);
    const treatment = course.latest ?? (typeof input.treatment === 'function' ? await input.treatment() : input.treatment);
    const day = Math.max(0, localDaysBetween(treatment.performedAt, now, zone));
    // Earlier answers of the whole course, each on this session's timeline (days before it are negative).
    const history = await this.repo.forTreatments(tx, input.patient.clinicId, course.sessions.length ? course.sessions.map((s) => s.id) : [treatment.id]);
    const protocol = course.protocol ?? (await this.protocols.get(input.patient.clinicId, treatment.protocolId, tx));
    const response = await this.repo.insert(tx, {
      clinicId: input.patient.clinicId,
      patientId: input.patient.id,
      treatmentId: treatment.id,
      checkInId: input.checkIn?.id ?? null,
      messageId: input.messageId,
      source: input.source,
      ...(input.scores ?? { bruising: null, redness: null, itching: null, burning: null, pain: null }),
      warningSigns: input.warningSigns,
      signReadings: input.signReadings,
      freeText: input.freeText,
      rawText: input.rawText,
      daySinceTreatment: day,
      receivedAt: now,
      createdAt: now,
    });
    await this.audit.record(tx, {
      clinicId: response.clinicId,
      actor: input.actor,
      action: 'response.stored',
      entityType: 'response',
      entityId: response.id,
      data: { checkInId: response.checkInId, treatmentId: response.treatmentId, source: input.source, day, hasScores: !!input.scores, warningSignCount: input.warningSigns.length },
    });
    this.metrics.inboundReply(input.source);
    const photos = input.photos?.items ?? [];
    if (input.photos && photos.length) {
      await this.photos.attach(
        tx,
        { clinicId: response.clinicId, patientId: response.patientId, responseId: response.id, messageId: input.messageId, source: input.photos.source, actor: input.actor },
        photos,
        input.photos.written,
      );
    }
    if (input.checkIn) await this.checkIns.markAnswered(tx, input.checkIn, input.actor, response.id);
    const evaluation = await this.flags.evaluate(tx, {
      clinic,
      patient: input.patient,
      treatmentId: treatment.id,
      responseId: response.id,
      // Without scores only the warning-sign rules judge it (scores null).
      // An SMS ticks nothing: its signs are judged from how its words were read.
      current: { scores: input.scores, warningSigns: input.source === 'sms' ? [] : input.warningSigns, signReadings: input.signReadings, freeText: input.freeText, daySinceTreatment: day },
      history: history.map((r) => ({ ...answerOf(r, localDaysBetween(treatment.performedAt, r.receivedAt, zone)), beforeSession: r.receivedAt < treatment.performedAt })),
      course: protocol.expectedCourse,
      replyChannel: input.replyChannel,
      // Safety advice by SMS asks for a photo when none came: the patient can answer with one.
      invitePhoto: photos.length === 0 && !input.photosToCome,
      // The answer's flags are triaged as one case per patient and course.
      courseId: course.sessions[0]?.id ?? treatment.id,
    });
    return { response, evaluation };
  }

  /** The patient's latest answer received at or after `since`, if any. */
  latestSince(tx: EntityManager, patient: Patient, since: Date): Promise<Response | null> {
    return this.repo.latestSince(tx, patient.clinicId, patient.id, since);
  }

  /** After the answer's transaction commits: its urgent messages go out now. */
  async deliverUrgent(ids: string[]): Promise<void> {
    // Queued inside the committed transaction, so a failure here is retried by the tick, never lost.
    await this.messaging.deliverNow(ids).catch((err: unknown) => this.logger.error(`Immediate delivery failed: ${err instanceof Error ? err.message : String(err)}`));
  }
}

/** An earlier answer for the rules, its day counted from the session the current answer is judged by. */
function answerOf(r: Response, daySinceTreatment: number): AnswerForRules {
  // A stored answer has all five scores or none (a warning sign in words).
  const scores = r.bruising === null ? null : (Object.fromEntries(SYMPTOMS.map((s) => [s, r[s] ?? 0])) as SymptomScores);
  // Answers stored before the sign reader (signReadings null) keep their signs as recorded.
  const readBySigns = r.signReadings !== null;
  return { scores, warningSigns: readBySigns && r.source === 'sms' ? [] : (r.warningSigns as WarningSign[]), signReadings: r.signReadings, freeText: r.freeText, daySinceTreatment };
}
