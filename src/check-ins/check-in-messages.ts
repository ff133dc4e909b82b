import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { patientEnvelope } from '../messaging/envelope';
import { MessageDraft, MessagingService } from '../messaging/messaging.service';
import { Channel, chooseChannel, Patient } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { unsubscribeHeaders } from '../patients/unsubscribe-token';
import { checkInEmail, checkInSms, smsClinicName } from '../protocols/texts';
import { CheckInDispatchRepository } from './check-in-dispatch.repository';
import type { CheckIn } from './check-in.entity';
import { sendWindowOf, timeZoneOf } from './check-in-timing';
import { CheckInsService } from './check-ins.service';
import { nextSendTime, SendWindow } from './planner';

/** The reminder follows the real send time (a check-in sent late is not reminded an hour later); none after expiry. */
export function reminderAfterSend(checkIn: CheckIn, sentAt: Date, zone: string, window: SendWindow): Date | null {
  if (!checkIn.remindAt) return null;
  const delay = checkIn.remindAt.getTime() - checkIn.dueAt.getTime();
  const at = nextSendTime(new Date(sentAt.getTime() + delay), zone, window);
  return at < checkIn.expiresAt ? at : null;
}

/**
 * Decides what a check-in or its reminder says to the patient (SMS or email, in their language,
 * with a fresh link) and when a reminder is queued: once per check-in, at its remind time, in the
 * transaction that marks it.
 */
@Injectable()
export class CheckInMessages {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: CheckInDispatchRepository,
    private readonly checkIns: CheckInsService,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One reminder per check-in, queued in the same transaction that marks it, with a fresh link.
   * Batched: the patients and clinics read in one query each, the check-ins marked in one
   * statement, the links and messages written in one INSERT each.
   */
  async queueReminders(limit: number): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const due = await this.repo.lockRemindersDue(tx, now, limit);
      if (!due.length) return 0;
      const [patients, clinics] = [
        await this.patients.getMany(due.map((c) => ({ clinicId: c.clinicId, id: c.patientId })), tx),
        await this.clinics.getMany([...new Set(due.map((c) => c.clinicId))], tx),
      ];
      const reminders: Array<{ checkIn: CheckIn; patient: Patient; clinic: Clinic; channel: Channel }> = [];
      for (const checkIn of due) {
        const patient = patients.get(checkIn.patientId);
        const clinic = clinics.get(checkIn.clinicId);
        if (!patient || !clinic) throw new Error(`Reminder of check-in ${checkIn.id}: its ${patient ? 'clinic' : 'patient'} was not found`);
        const channel = chooseChannel(patient, checkIn.channel, this.messaging.liveChannels(clinic.smsFrom));
        if (channel) reminders.push({ checkIn, patient, clinic, channel });
      }
      await this.repo.markReminded(tx, due, now);
      const links = await this.checkIns.issueTokens(tx, reminders.map((r) => r.checkIn));
      const messages = await this.messaging.prepareMany(
        tx,
        reminders.map((r, i) => ({
          draft: this.draft(r.checkIn, r.patient, r.clinic, r.channel, links[i].link, true),
          state: { status: 'queued' as const, notBefore: nextSendTime(now, timeZoneOf(r.patient, r.clinic), sendWindowOf(r.clinic)) },
        })),
      );
      for (const [i, r] of reminders.entries()) {
        await this.audit.record(tx, { clinicId: r.checkIn.clinicId, actor: SYSTEM, action: 'check_in.reminder_queued', entityType: 'check_in', entityId: r.checkIn.id, data: { messageId: messages[i].id, channel: r.channel } });
      }
      return due.length;
    });
  }

  /** The check-in (or its reminder) as a message to the patient on `channel`. */
  draft(checkIn: CheckIn, patient: Patient, clinic: Clinic, channel: Channel, link: string, reminder: boolean): MessageDraft {
    const t = { clinicName: clinic.name, givenName: patient.givenName, link, dayOffset: checkIn.dayOffset };
    const envelope = patientEnvelope(channel, patient, { sms: clinic.smsFrom, email: emailSenderOf(clinic, this.config.emailFrom) });
    const base = { clinicId: clinic.id, patientId: patient.id, checkInId: checkIn.id, purpose: reminder ? ('reminder' as const) : ('check_in' as const), channel, ...envelope };
    if (channel === 'sms') {
      return { ...base, text: checkInSms(patient.locale, { ...t, clinicName: smsClinicName(clinic) }, reminder) };
    }
    const email = checkInEmail(patient.locale, t, reminder);
    return { ...base, subject: email.subject, text: email.text, html: email.html, headers: unsubscribeHeaders(patient.id, this.config.publicBaseUrl, this.config.jwtSecret) };
  }
}
