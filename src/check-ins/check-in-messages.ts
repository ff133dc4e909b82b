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

  /** One reminder per check-in, queued in the same transaction that marks it, with a fresh link. */
  async queueReminders(limit: number): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const due = await this.repo.lockRemindersDue(tx, now, limit);
      for (const checkIn of due) {
        const patient = await this.patients.get(checkIn.clinicId, checkIn.patientId, tx);
        const clinic = await this.clinics.get(checkIn.clinicId, tx);
        const channel = chooseChannel(patient, checkIn.channel, this.messaging.liveChannels(clinic.smsFrom));
        await this.repo.update(tx, checkIn.clinicId, checkIn.id, { reminderSentAt: now });
        if (!channel) continue;
        const { link } = await this.checkIns.issueToken(tx, checkIn);
        const notBefore = nextSendTime(now, timeZoneOf(patient, clinic), sendWindowOf(clinic));
        const message = await this.messaging.enqueue(tx, this.draft(checkIn, patient, clinic, channel, link, true), notBefore);
        await this.audit.record(tx, { clinicId: checkIn.clinicId, actor: SYSTEM, action: 'check_in.reminder_queued', entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel } });
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
