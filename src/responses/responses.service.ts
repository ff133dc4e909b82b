import { readSigns, SignReading } from '../protocols/sign-reader';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, MoreThanOrEqual } from 'typeorm';
import { Actor, AuditService } from '../audit/audit.service';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { localDaysBetween } from '../check-ins/course-plan';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Evaluation, FlagsService } from '../flags/flags.service';
import { AnswerForRules } from '../flags/rules';
import { MessagingService } from '../messaging/messaging.service';
import { InboundMessages } from './inbound-messages';
import { Channel, Patient } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { ProtocolsService } from '../protocols/protocols.service';
import { SYMPTOMS, SymptomScores, WarningSign } from '../protocols/questions';
import { clarificationSms, helpSms, missingScoresSms, smsClinicName } from '../protocols/texts';
import { Treatment } from '../treatments/treatment.entity';
import { TreatmentsService } from '../treatments/treatments.service';
import { ProcessedPhoto } from '../photos/image';
import { MmsMedia, PhotosService } from '../photos/photos.service';
import { StoredPhotoRef } from '../photos/photo-store';
import { FormAnswers } from './form-answers';
import { Response } from './response.entity';
import { combineReplies, isStopRequest, parseSmsReply } from './sms-reply.parser';

export type FormSubmission =
  | { state: 'stored'; responseId: string; safetyAdvice: string | null }
  | { state: 'unknown' | 'answered' | 'expired' | 'closed' };

export interface InboundSms {
  messageSid: string;
  from: string;
  to: string;
  body: string;
  /** Set when the number belongs to a Twilio messaging service (clinics may send as MG…). */
  messagingServiceSid?: string;
  /** An MMS's media (NumMedia / MediaUrl{N}), fetched with the account's credentials. */
  media?: MmsMedia[];
}

export type InboundOutcome =
  | 'duplicate'
  | 'unknown_number'
  | 'unknown_sender'
  | 'opted_out'
  | 'opted_in'
  | 'help'
  | 'answered'
  | 'warning_signs'
  | 'clarification_sent'
  | 'missing_scores_asked'
  | 'stop_requested'
  | 'flagged_partial'
  | 'flagged_unreadable'
  | 'photos_added'
  | 'flagged_photos';

/** A photo sent without words joins the patient's answer of this long ago (they answered, then took the picture). */
const PHOTO_JOINS_ANSWER_HOURS = 48;

/** Texts asking for the rest of a partial answer, per check-in; an unreadable reply's clarification counts too. */
const MAX_REPLY_PROMPTS = 2;

/** Answers coming in: the web form and SMS replies. Stores them, then hands them to the rules. */
@Injectable()
export class ResponsesService {
  private readonly logger = new Logger('Responses');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly checkIns: CheckInsService,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly treatments: TreatmentsService,
    private readonly protocols: ProtocolsService,
    private readonly flags: FlagsService,
    private readonly messaging: MessagingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly photos: PhotosService,
    private readonly inboundMessages: InboundMessages,
  ) {}

  /** The form uses its token once: the check-in row is locked, answered, and every link to it dies. */
  async submitForm(token: string, answers: FormAnswers, photos: ProcessedPhoto[] = []): Promise<FormSubmission> {
    // The answer and its photos commit together or not at all (uploads to an object store are taken back).
    const result = await this.photos.withUploads((written) => this.db.transaction(async (m): Promise<{ sub: FormSubmission; urgent: string[] }> => {
      const found = await this.checkIns.lookupToken(token, m, true);
      if (found.state !== 'open') return { sub: { state: found.state }, urgent: [] };
      const checkIn = found.checkIn;
      const patient = await this.patients.findById(checkIn.patientId, m);
      const actor: Actor = { type: 'patient', id: patient.id };
      const stored = await this.store(m, {
        checkIn,
        patient,
        treatment: await this.treatments.findById(checkIn.treatmentId, m),
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
    await this.deliverUrgent(result.urgent);
    return result.sub;
  }

  async handleInboundSms(sms: InboundSms): Promise<InboundOutcome> {
    const clinics = await this.clinics.clinicsForSmsNumber(sms.to, this.config.twilio?.from, sms.messagingServiceSid);
    if (!clinics.length) {
      this.logger.warn(`Inbound SMS ${sms.messageSid} to a number no clinic uses; ignored`);
      return 'unknown_number';
    }
    // Media are fetched before the transaction (no connection held over the network); a refused
    // photo is on the record (photos.refused) and never costs the patient their answer.
    const mms = sms.media?.length ? await this.photos.fetchMms(sms.media) : { photos: [], refused: [] };
    const outcome = await this.photos.withUploads((written) => this.db.transaction(async (m): Promise<{ outcome: InboundOutcome; send: string[] }> => {
      const candidates = await this.patients.findByPhone(m, clinics.map((c) => c.id), sms.from);
      // The same number may be a patient at two clinics sharing a sender: prefer the one awaiting an answer.
      let patient: Patient | null = candidates[0] ?? null;
      let open: CheckIn | null = null;
      for (const p of candidates) {
        const c = await this.checkIns.openCheckInForPatient(m, p.clinicId, p.id);
        if (c) {
          patient = p;
          open = c;
          break;
        }
      }
      if (!patient && clinics.length > 1) {
        // No patient and a shared number: any clinic would be a guess, and a stranger's text must not land in one.
        this.logger.warn(`Inbound SMS ${sms.messageSid} from an unknown sender to a number ${clinics.length} clinics share; ignored`);
        return { outcome: 'unknown_sender', send: [] };
      }
      const clinic = clinics.find((c) => c.id === patient?.clinicId) ?? clinics[0];
      const inbound = await this.inboundMessages.record(m, {
        clinicId: clinic.id,
        patientId: patient?.id ?? null,
        channel: 'sms',
        providerId: sms.messageSid,
        from: sms.from,
        to: sms.to,
        text: sms.body,
      });
      if (!inbound) return { outcome: 'duplicate', send: [] };
      // A stranger's pictures are not kept.
      if (!patient) return { outcome: 'unknown_sender', send: [] };
      const actor: Actor = { type: 'patient', id: patient.id };
      const mmsPhotos = { items: mms.photos, written, source: 'mms' as const };
      if (mms.refused.length) {
        this.logger.warn(`Inbound MMS ${sms.messageSid}: ${mms.refused.length} media refused`);
        await this.audit.record(m, { clinicId: clinic.id, actor, action: 'photos.refused', entityType: 'message', entityId: inbound.id, data: { reasons: mms.refused } });
      }
      if (mms.photos.length && !sms.body.trim()) {
        // Pictures without words: they belong with the answer the patient just gave, else a person looks at them.
        const recent = await this.latestAnswerSince(m, patient, new Date(this.clock.now().getTime() - PHOTO_JOINS_ANSWER_HOURS * 3600_000));
        await this.photos.attach(m, { clinicId: clinic.id, patientId: patient.id, responseId: recent?.id ?? null, messageId: inbound.id, source: 'mms', actor }, mms.photos, written);
        if (recent) return { outcome: 'photos_added', send: [] };
        await this.flags.raiseUnreadable(m, {
          clinicId: clinic.id,
          patientId: patient.id,
          treatmentId: (open ? open.treatmentId : (await this.treatments.latestForPatient(clinic.id, patient.id, m))?.id) ?? null,
          messageId: inbound.id,
          reason: 'The patient sent photos without an answer; please look at them.',
          rule: { id: 'photo-without-answer', version: 1 },
        });
        return { outcome: 'flagged_photos', send: [] };
      }
      const parsed = parseSmsReply(sms.body);

      if (parsed.kind === 'keyword') {
        if (parsed.keyword === 'stop' || parsed.keyword === 'start') {
          // The carrier blocks or unblocks the whole number, so every patient record on it follows.
          const change = parsed.keyword === 'stop' ? 'opted_out' : 'opted_in';
          for (const p of candidates) {
            await this.patients.changeConsent(m, p, { type: 'patient', id: p.id }, { channel: 'sms', change, source: `sms:${sms.body.trim().toUpperCase()}` });
          }
          return { outcome: change, send: [] };
        }
        const reply = await this.reply(m, clinic, patient, 'consent_reply', helpSms(patient.locale, smsClinicName(clinic), clinic.phone), sms.to);
        return { outcome: 'help', send: [reply] };
      }

      const treatment = open ? await this.treatments.findById(open.treatmentId, m) : await this.treatments.latestForPatient(clinic.id, patient.id, m);
      // An answer may come in parts ("bruising bad", then "itching 1 burning 0 pain 2"): read them as one.
      const parts = open ? [...(await this.earlierAnswerParts(m, patient, open, inbound.id)), sms.body] : [sms.body];
      const combined = parts.length > 1 ? combineReplies(parts) : parsed;
      // A reply whole by itself ("1 0 2 0 1") stands alone; one that completes earlier parts keeps them as its raw text.
      const standsAlone = parsed.kind === 'scores' && combined.kind === 'scores' && SYMPTOMS.every((s) => combined.scores[s] === parsed.scores[s]);
      const answer = standsAlone ? parsed : combined;
      const rawText = standsAlone ? sms.body : parts.join('\n');
      const stopAsked = isStopRequest(sms.body);
      const flagStopRequest = () =>
        this.flags.raiseUnreadable(m, {
          clinicId: clinic.id,
          patientId: patient.id,
          treatmentId: treatment?.id ?? null,
          messageId: inbound.id,
          reason: 'Patient asked to stop messages in their own words; call them. They are not opted out: only a STOP keyword does that.',
          rule: { id: 'stop-request', version: 1 },
        });
      if (answer.kind === 'scores' && treatment) {
        const stored = await this.store(m, {
          checkIn: open,
          patient,
          treatment,
          source: 'sms',
          scores: answer.scores,
          warningSigns: answer.warningSigns,
          signReadings: answer.signReadings,
          freeText: null,
          rawText,
          messageId: inbound.id,
          actor,
          replyChannel: 'sms',
          photos: mmsPhotos,
        });
        if (stopAsked) await flagStopRequest();
        return { outcome: 'answered', send: stored.evaluation.urgentMessageIds };
      }
      const signs = answer.kind === 'keyword' ? [] : answer.warningSigns;
      const signReadings = answer.kind === 'keyword' ? [] : answer.signReadings;
      if (signs.length && treatment) {
        // A warning sign in words is a warning sign, even when the numbers are missing or incomplete.
        // It answers the open check-in too: asking "how is your skin?" again would be tone-deaf.
        const stored = await this.store(m, {
          checkIn: open,
          patient,
          treatment,
          source: 'sms',
          scores: null,
          warningSigns: signs,
          signReadings,
          freeText: sms.body,
          rawText,
          messageId: inbound.id,
          actor,
          replyChannel: 'sms',
          photos: mmsPhotos,
        });
        if (stopAsked) await flagStopRequest();
        return { outcome: 'warning_signs', send: stored.evaluation.urgentMessageIds };
      }
      // Photos with a text that is not an answer stay with that text: the flag it raises shows them.
      if (mms.photos.length) await this.photos.attach(m, { clinicId: clinic.id, patientId: patient.id, responseId: null, messageId: inbound.id, source: 'mms', actor }, mms.photos, written);
      if (stopAsked) {
        // No more questions to someone who asked us to stop; a person calls instead.
        await flagStopRequest();
        return { outcome: 'stop_requested', send: [] };
      }
      if (answer.kind === 'partial' && open) {
        if (open.clarificationsSent < MAX_REPLY_PROMPTS) {
          await this.checkIns.noteClarification(m, open);
          const reply = await this.reply(m, clinic, patient, 'clarification', missingScoresSms(patient.locale, smsClinicName(clinic), answer.missing), sms.to, open.id);
          return { outcome: 'missing_scores_asked', send: [reply] };
        }
        await this.flags.raiseUnreadable(m, {
          clinicId: clinic.id,
          patientId: patient.id,
          treatmentId: treatment?.id ?? null,
          messageId: inbound.id,
          reason: `The patient answered only part of the check-in and was asked ${MAX_REPLY_PROMPTS} times for the rest (still missing: ${answer.missing.join(', ')}); please read their replies.`,
        });
        return { outcome: 'flagged_partial', send: [] };
      }
      if (open && open.clarificationsSent === 0) {
        await this.checkIns.noteClarification(m, open);
        const reply = await this.reply(m, clinic, patient, 'clarification', clarificationSms(patient.locale, smsClinicName(clinic)), sms.to, open.id);
        return { outcome: 'clarification_sent', send: [reply] };
      }
      await this.flags.raiseUnreadable(m, {
        clinicId: clinic.id,
        patientId: patient.id,
        treatmentId: treatment?.id ?? null,
        messageId: inbound.id,
        reason: open ? 'The patient replied twice in a way the system could not read; please read the reply.' : 'The patient sent a message the system could not match to a check-in; please read it.',
      });
      return { outcome: 'flagged_unreadable', send: [] };
    }));
    await this.deliverUrgent(outcome.send);
    return outcome.outcome;
  }

  /**
   * The patient's earlier texts since this check-in went out that scored something, oldest
   * first: together with the new one they may make a whole answer. Nothing partial is stored,
   * so these texts are the record of it.
   */
  private async earlierAnswerParts(m: EntityManager, patient: Patient, checkIn: CheckIn, currentId: string): Promise<string[]> {
    if (!checkIn.sentAt) return [];
    // Read through this transaction's connection: a second one from the pool could deadlock it.
    const texts = await this.inboundMessages.textsSince(m, { clinicId: patient.clinicId, patientId: patient.id, channel: 'sms', since: checkIn.sentAt, except: currentId });
    return texts.map((t) => t.body).filter((body) => {
      const kind = parseSmsReply(body).kind;
      return kind === 'partial' || kind === 'scores';
    });
  }

  private async reply(m: EntityManager, clinic: Clinic, patient: Patient, purpose: 'clarification' | 'consent_reply', text: string, from: string, checkInId?: string): Promise<string> {
    const msg = await this.messaging.enqueue(m, { clinicId: clinic.id, patientId: patient.id, checkInId: checkInId ?? null, channel: 'sms', purpose, to: patient.phone!, from, text });
    return msg.id;
  }

  /** The answer, the check-in it closes, its audit event and the rules' verdict: one transaction. */
  private async store(
    m: EntityManager,
    input: {
      checkIn: CheckIn | null;
      patient: Patient;
      treatment: Treatment;
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
    },
  ): Promise<{ response: Response; evaluation: Evaluation }> {
    const now = this.clock.now();
    const clinic = await this.clinics.get(input.patient.clinicId, m);
    const zone = input.patient.timeZone ?? clinic.timeZone;
    // In a course an answer (a merged check-in counts for several sessions) is judged from the most recent session before it.
    const course = await this.treatments.courseAt(m, input.patient.id, now, input.checkIn?.id ?? null);
    const treatment = course.latest ?? input.treatment;
    const day = Math.max(0, localDaysBetween(treatment.performedAt, now, zone));
    // Earlier answers of the whole course, each on this session's timeline (days before it are negative).
    const history = await this.answersSoFar(m, course.sessions.length ? course.sessions.map((s) => s.id) : [treatment.id]);
    const protocol = course.protocol ?? (await this.protocols.get(treatment.protocolId, m));
    const repo = m.getRepository(Response);
    const response = await repo.save(
      repo.create({
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
      }),
    );
    await this.audit.record(m, {
      clinicId: response.clinicId,
      actor: input.actor,
      action: 'response.stored',
      entityType: 'response',
      entityId: response.id,
      data: { checkInId: response.checkInId, treatmentId: response.treatmentId, source: input.source, day, hasScores: !!input.scores, warningSignCount: input.warningSigns.length },
    });
    this.metrics.inboundReply(input.source);
    const photos = input.photos?.items ?? [];
    if (photos.length) {
      await this.photos.attach(
        m,
        { clinicId: response.clinicId, patientId: response.patientId, responseId: response.id, messageId: input.messageId, source: input.photos!.source, actor: input.actor },
        photos,
        input.photos!.written,
      );
    }
    if (input.checkIn) await this.checkIns.markAnswered(m, input.checkIn, input.actor, response.id);
    const evaluation = await this.flags.evaluate(m, {
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
      invitePhoto: photos.length === 0,
      // The answer's flags are triaged as one case per patient and course.
      courseId: course.sessions[0]?.id ?? treatment.id,
    });
    return { response, evaluation };
  }

  /** The patient's latest answer received at or after `since`, if any. */
  private latestAnswerSince(m: EntityManager, patient: Patient, since: Date): Promise<Response | null> {
    return m.getRepository(Response).findOne({ where: { clinicId: patient.clinicId, patientId: patient.id, receivedAt: MoreThanOrEqual(since) }, order: { receivedAt: 'DESC', createdAt: 'DESC' } });
  }

  /** The rules' history: earlier answers to these treatments (a follow-up or a course), oldest first. */
  private answersSoFar(m: EntityManager, treatmentIds: string[]): Promise<Response[]> {
    return m.getRepository(Response).find({ where: { treatmentId: In(treatmentIds) }, order: { receivedAt: 'ASC', createdAt: 'ASC' } });
  }

  private async deliverUrgent(ids: string[]): Promise<void> {
    // Queued inside the committed transaction, so a failure here is retried by the tick, never lost.
    await this.messaging.deliverNow(ids).catch((err) => this.logger.error(`Immediate delivery failed: ${err?.message ?? err}`));
  }

  /** The patient's answers, read by `actor`: the read is on the record (patient.responses_viewed) before it is answered. */
  async viewForPatient(clinicId: string, patientId: string, actor: Actor): Promise<Response[]> {
    const items = await this.listForPatient(clinicId, patientId);
    await this.audit.recordAccess({ clinicId, actor, action: 'patient.responses_viewed', entityType: 'patient', entityId: patientId, data: { count: items.length } });
    return items;
  }

  async listForPatient(clinicId: string, patientId: string): Promise<Response[]> {
    await this.patients.get(clinicId, patientId);
    return this.db.getRepository(Response).find({ where: { clinicId, patientId }, order: { receivedAt: 'ASC' } });
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

