import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { patientEnvelope } from '../messaging/envelope';
import { MessagingService } from '../messaging/messaging.service';
import { smsSegments } from '../common/sms-segments';
import { OnCallService } from '../on-call/on-call.service';
import { Channel, chooseChannel, Patient } from '../patients/patient.entity';
import { staffAlert, textsFor } from '../protocols/texts';
import { Flag } from './flag.entity';
import { queueStaffAlerts } from './staff-alerts';

/** What an urgent flag sends, and how: safety advice to the patient, alerts to on-call staff. */
export interface UrgentMessages {
  advice: { subject: string; text: string; sms: string };
  /** The channel the answer came by: the advice goes back on it when the patient can still be reached there. */
  replyChannel: Channel | null;
  /** False: the same warning sign again on a flag staff were alerted to; advice only. */
  alertStaff: boolean;
  /** Safety advice by SMS ends by asking for a photo, where it still fits. */
  invitePhoto: boolean;
}

/**
 * Decides who hears of an urgent flag, on which channel: safety advice to the patient at once
 * (quiet hours do not apply), and an SMS and an email to each on-call practitioner (by the rota;
 * else every practitioner, else the admins). Queued in the caller's transaction.
 */
@Injectable()
export class UrgentMessagesService {
  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly messaging: MessagingService,
    private readonly onCall: OnCallService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The ids of the messages queued; deliver them right after the caller's transaction commits. */
  async queue(manager: EntityManager, clinic: Clinic, patient: Patient, flag: Flag, send: UrgentMessages): Promise<string[]> {
    const ids: string[] = [];
    const live = this.messaging.liveChannels(clinic.smsFrom);
    const { replyChannel } = send;
    const channel = replyChannel && chooseChannel(patient, replyChannel, live) === replyChannel ? replyChannel : chooseChannel(patient, null, live);
    if (channel) {
      const message = await this.messaging.enqueue(manager, {
        clinicId: clinic.id,
        patientId: patient.id,
        channel,
        purpose: 'safety_advice',
        // The clinic is the sender the patient sees, as on every other patient email.
        ...patientEnvelope(channel, patient, { sms: clinic.smsFrom, email: emailSenderOf(clinic, this.config.emailFrom, this.config.emailFromDomains) }),
        subject: send.advice.subject,
        // By SMS: the clinic's SMS name, in two segments; the photo invitation only where it still fits.
        text: channel === 'sms' ? withPhotoInvite(send.advice.sms, send.invitePhoto ? textsFor(patient.locale).photos.invite : null) : send.advice.text,
      });
      ids.push(message.id);
    }
    // The caller's transaction holds a connection already: asking the pool for another can deadlock it.
    const { staff, source } = send.alertStaff ? await this.onCall.recipientsAt(manager, clinic, this.clock.now()) : { staff: [], source: 'none' as const };
    const alert = staffAlert({ locale: clinic.staffLocale, clinicName: clinic.name, priority: flag.priority, reason: flag.reason, flagUrl: `${this.config.publicBaseUrl}/app/flags/${flag.id}` });
    const queued = await queueStaffAlerts(this.messaging, manager, clinic, staff, alert);
    ids.push(...queued.messageIds);
    await this.audit.record(manager, {
      clinicId: clinic.id,
      actor: SYSTEM,
      action: 'flag.urgent_messages_queued',
      entityType: 'flag',
      entityId: flag.id,
      data: { messageIds: ids, staffAlerted: staff.map((s) => s.id), alertedBy: source, adviceChannel: channel },
    });
    return ids;
  }
}

/** The SMS safety advice with the photo invitation after it, unless that would take it past two segments. */
function withPhotoInvite(sms: string, invite: string | null): string {
  if (!invite) return sms;
  const withInvite = `${sms} ${invite}`;
  return smsSegments(withInvite).segments <= 2 ? withInvite : sms;
}
