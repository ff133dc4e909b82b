/** Decides what an inbound SMS is (a consent keyword, an answer whole or in parts, photos, or something a person must read) and what to reply. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../common/actor';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { FlagsService } from '../flags/flags.service';
import { MessagingService } from '../messaging/messaging.service';
import { Patient } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { MmsIntake } from '../photos/mms-intake.service';
import { MmsMedia } from '../photos/photos.service';
import { SYMPTOMS } from '../protocols/questions';
import { clarificationSms, helpSms, missingScoresSms, smsClinicName } from '../protocols/texts';
import { Treatment } from '../treatments/treatment.entity';
import { TreatmentsService } from '../treatments/treatments.service';
import { AnswerInput, AnswersService } from './answers.service';
import { InboundMessages } from './inbound-messages';
import { combineReplies, isStopRequest, isWholeAnswer, parseSmsReply } from './sms-reply.parser';

export interface InboundSms {
  messageSid: string;
  from: string;
  to: string;
  body: string;
  /** Set when the number belongs to a Twilio messaging service (clinics may send as MG…). */
  messagingServiceSid?: string;
  /** An MMS's media (NumMedia / MediaUrl{N}): queued here, fetched by MmsIntake after the webhook has answered. */
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

/** SMS replies (and MMS photos) from patients: stores what answers a check-in, asks once for what is missing, hands the rest to a person. */
@Injectable()
export class SmsRepliesService {
  private readonly logger = new Logger('Responses');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly checkIns: CheckInsService,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly treatments: TreatmentsService,
    private readonly flags: FlagsService,
    private readonly messaging: MessagingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mmsIntake: MmsIntake,
    private readonly answers: AnswersService,
    private readonly inboundMessages: InboundMessages,
  ) {}

  async handleInboundSms(sms: InboundSms): Promise<InboundOutcome> {
    const clinics = await this.clinics.clinicsForSmsNumber(sms.to, this.config.twilio?.from, sms.messagingServiceSid);
    if (!clinics.length) {
      this.logger.warn(`Inbound SMS ${sms.messageSid} to a number no clinic uses; ignored`);
      return 'unknown_number';
    }
    // Media are never fetched in the webhook: they are queued with the text (stored once per
    // MessageSid) and fetched by MmsIntake after Twilio has its answer; a refused photo is on the
    // record (photos.refused) and never costs the patient their answer.
    const media = sms.media ?? [];
    let queuedMedia = 0;
    const outcome = await this.db.transaction(async (tx): Promise<{ outcome: InboundOutcome; send: string[] }> => {
      const candidates = await this.patients.findByPhone(tx, clinics.map((c) => c.id), sms.from);
      // The same number may be a patient at two clinics sharing a sender: prefer the one awaiting an answer.
      let patient: Patient | null = candidates[0] ?? null;
      let open: CheckIn | null = null;
      for (const p of candidates) {
        const waiting = await this.checkIns.openCheckInForPatient(tx, p.clinicId, p.id);
        if (waiting) {
          patient = p;
          open = waiting;
          break;
        }
      }
      if (!patient && clinics.length > 1) {
        // No patient and a shared number: any clinic would be a guess, and a stranger's text must not land in one.
        this.logger.warn(`Inbound SMS ${sms.messageSid} from an unknown sender to a number ${clinics.length} clinics share; ignored`);
        return { outcome: 'unknown_sender', send: [] };
      }
      const clinic = clinics.find((c) => c.id === patient?.clinicId) ?? clinics[0];
      const inbound = await this.inboundMessages.record(tx, {
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
      const queueMedia = async (responseId: string | null) => {
        if (media.length) queuedMedia += await this.mmsIntake.queue(tx, { clinicId: clinic.id, patientId: patient.id, messageId: inbound.id, responseId, actor }, media);
      };
      if (media.length && !sms.body.trim()) {
        // Pictures without words: they belong with the answer the patient just gave, else a person looks at them.
        const recent = await this.answers.latestSince(tx, patient, new Date(this.clock.now().getTime() - PHOTO_JOINS_ANSWER_HOURS * 3600_000));
        await queueMedia(recent?.id ?? null);
        if (recent) return { outcome: 'photos_added', send: [] };
        await this.flags.raiseUnreadable(tx, {
          clinicId: clinic.id,
          patientId: patient.id,
          treatmentId: (open ? open.treatmentId : (await this.treatments.latestForPatient(clinic.id, patient.id, tx))?.id) ?? null,
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
            await this.patients.changeConsent(tx, p, { type: 'patient', id: p.id }, { channel: 'sms', change, source: `sms:${sms.body.trim().toUpperCase()}` });
          }
          return { outcome: change, send: [] };
        }
        const reply = await this.reply(tx, clinic, patient, 'consent_reply', helpSms(patient.locale, smsClinicName(clinic), clinic.phone), sms.to);
        return { outcome: 'help', send: [reply] };
      }

      // The open check-in names its session (a foreign key: it exists), read only when an answer
      // needs more than its id; without one, the patient's latest session.
      const latest = open ? null : await this.treatments.latestForPatient(clinic.id, patient.id, tx);
      const treatmentId = open?.treatmentId ?? latest?.id ?? null;
      const session: Treatment | (() => Promise<Treatment>) | null = open ? () => this.treatments.ofCheckIn(tx, open) : latest;
      // An answer may come in parts ("bruising bad", then "itching 1 burning 0 pain 2"): read them as one.
      // Five scores by themselves replace whatever came before, so the earlier texts are not read for them.
      const parts = open && !isWholeAnswer(sms.body) ? [...(await this.earlierAnswerParts(tx, patient, open, inbound.id)), sms.body] : [sms.body];
      const combined = parts.length > 1 ? combineReplies(parts) : parsed;
      // A reply whole by itself ("1 0 2 0 1") stands alone; one that completes earlier parts keeps them as its raw text.
      const standsAlone = parsed.kind === 'scores' && combined.kind === 'scores' && SYMPTOMS.every((s) => combined.scores[s] === parsed.scores[s]);
      const answer = standsAlone ? parsed : combined;
      const rawText = standsAlone ? sms.body : parts.join('\n');
      const stopAsked = isStopRequest(sms.body);
      // What the system cannot settle goes to a person, as a flag on this text.
      const flagForAPerson = (reason: string, rule?: { id: string; version: number }) =>
        this.flags.raiseUnreadable(tx, { clinicId: clinic.id, patientId: patient.id, treatmentId, messageId: inbound.id, reason, ...(rule ? { rule } : {}) });
      const flagStopRequest = () =>
        flagForAPerson('Patient asked to stop messages in their own words; call them. They are not opted out: only a STOP keyword does that.', { id: 'stop-request', version: 1 });
      // An answer from this text: it closes the open check-in, and a stop asked in words still goes to a person.
      const storeAnswer = async (outcome: 'answered' | 'warning_signs', read: Pick<AnswerInput, 'scores' | 'warningSigns' | 'signReadings' | 'freeText'>, session: AnswerInput['treatment']) => {
        const stored = await this.answers.store(tx, { checkIn: open, patient, clinic, treatment: session, source: 'sms', ...read, rawText, messageId: inbound.id, actor, replyChannel: 'sms', photosToCome: media.length });
        await queueMedia(stored.response.id);
        if (stopAsked) await flagStopRequest();
        return { outcome, send: stored.evaluation.urgentMessageIds };
      };
      if (answer.kind === 'scores' && session) {
        return storeAnswer('answered', { scores: answer.scores, warningSigns: answer.warningSigns, signReadings: answer.signReadings, freeText: null }, session);
      }
      const signs = answer.kind === 'keyword' ? [] : answer.warningSigns;
      const signReadings = answer.kind === 'keyword' ? [] : answer.signReadings;
      if (signs.length && session) {
        // A warning sign in words is a warning sign, even when the numbers are missing or incomplete.
        // It answers the open check-in too: asking "how is your skin?" again would be tone-deaf.
        return storeAnswer('warning_signs', { scores: null, warningSigns: signs, signReadings, freeText: sms.body }, session);
      }
      // Photos with a text that is not an answer stay with that text: the flag it raises shows them.
      await queueMedia(null);
      if (stopAsked) {
        // No more questions to someone who asked us to stop; a person calls instead.
        await flagStopRequest();
        return { outcome: 'stop_requested', send: [] };
      }
      if (answer.kind === 'partial' && open) {
        if (open.clarificationsSent < MAX_REPLY_PROMPTS) {
          await this.checkIns.noteClarification(tx, open);
          const reply = await this.reply(tx, clinic, patient, 'clarification', missingScoresSms(patient.locale, smsClinicName(clinic), answer.missing), sms.to, open.id);
          return { outcome: 'missing_scores_asked', send: [reply] };
        }
        await flagForAPerson(`The patient answered only part of the check-in and was asked ${MAX_REPLY_PROMPTS} times for the rest (still missing: ${answer.missing.join(', ')}); please read their replies.`);
        return { outcome: 'flagged_partial', send: [] };
      }
      if (open && open.clarificationsSent === 0) {
        await this.checkIns.noteClarification(tx, open);
        const reply = await this.reply(tx, clinic, patient, 'clarification', clarificationSms(patient.locale, smsClinicName(clinic)), sms.to, open.id);
        return { outcome: 'clarification_sent', send: [reply] };
      }
      await flagForAPerson(open ? 'The patient replied twice in a way the system could not read; please read the reply.' : 'The patient sent a message the system could not match to a check-in; please read it.');
      return { outcome: 'flagged_unreadable', send: [] };
    });
    if (queuedMedia) this.mmsIntake.kick();
    await this.answers.deliverUrgent(outcome.send);
    return outcome.outcome;
  }

  /**
   * The patient's earlier texts since this check-in went out that scored something, oldest
   * first: together with the new one they may make a whole answer. Nothing partial is stored,
   * so these texts are the record of it.
   */
  private async earlierAnswerParts(tx: EntityManager, patient: Patient, checkIn: CheckIn, currentId: string): Promise<string[]> {
    if (!checkIn.sentAt) return [];
    // Read through this transaction's connection: a second one from the pool could deadlock it.
    const texts = await this.inboundMessages.textsSince(tx, { clinicId: patient.clinicId, patientId: patient.id, channel: 'sms', since: checkIn.sentAt, except: currentId });
    return texts.filter((body) => {
      const kind = parseSmsReply(body).kind;
      return kind === 'partial' || kind === 'scores';
    });
  }

  private async reply(tx: EntityManager, clinic: Clinic, patient: Patient, purpose: 'clarification' | 'consent_reply', text: string, from: string, checkInId?: string): Promise<string> {
    const msg = await this.messaging.enqueue(tx, { clinicId: clinic.id, patientId: patient.id, checkInId: checkInId ?? null, channel: 'sms', purpose, to: patient.phone!, from, text });
    return msg.id;
  }
}
