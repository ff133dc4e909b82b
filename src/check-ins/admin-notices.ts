import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import type { Message } from '../messaging/message.entity';
import { MessagingService } from '../messaging/messaging.service';
import type { Channel } from '../patients/patient.entity';
import { fill, textsFor } from '../protocols/texts';

/**
 * Decides which clinic admins hear, by email in the clinic's staff language, that check-ins cannot
 * go out as they should: a carrier filtered an SMS as spam, or the clinic has no SMS sender.
 */
@Injectable()
export class AdminNotices {
  constructor(
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly audit: AuditService,
  ) {}

  /** A carrier spam filter is not retried blindly: the clinic's admins hear of it. */
  async smsFiltered(tx: EntityManager, message: Message, code: string | null): Promise<void> {
    const clinic = await this.clinics.get(message.clinicId, tx);
    const admins = await this.clinics.staffWithRoles(message.clinicId, ['admin'], tx);
    const texts = textsFor(clinic.staffLocale).staff;
    const values = { clinic: clinic.name, code: code ?? 'unknown', messageId: message.id };
    for (const admin of admins) {
      await this.messaging.enqueue(tx, {
        clinicId: clinic.id,
        staffUserId: admin.id,
        channel: 'email',
        purpose: 'staff_alert',
        to: admin.email,
        subject: fill(texts.smsFilteredSubject, values),
        text: fill(texts.smsFilteredText, values),
      });
    }
    await this.audit.record(tx, { clinicId: clinic.id, actor: SYSTEM, action: 'message.filtered_alert_queued', entityType: 'message', entityId: message.id, data: { errorCode: code, admins: admins.map((a) => a.id) } });
  }

  /**
   * Once per clinic (until its SMS sender changes), in the caller's transaction: its admins hear by
   * email that SMS cannot go out for it, and that check-ins go by email meanwhile.
   */
  async smsSenderMissing(tx: EntityManager, clinic: Clinic, live: Channel[]): Promise<void> {
    if (!live.includes('email') || !(await this.clinics.claimSmsSenderNotice(tx, clinic.id))) return;
    const admins = await this.clinics.staffWithRoles(clinic.id, ['admin'], tx);
    const texts = textsFor(clinic.staffLocale).staff;
    const values = { clinic: clinic.name };
    const messageIds: string[] = [];
    for (const admin of admins) {
      const message = await this.messaging.enqueue(tx, {
        clinicId: clinic.id,
        staffUserId: admin.id,
        channel: 'email',
        purpose: 'staff_alert',
        to: admin.email,
        subject: fill(texts.noSmsSenderSubject, values),
        text: fill(texts.noSmsSenderText, values),
      });
      messageIds.push(message.id);
    }
    await this.audit.record(tx, { clinicId: clinic.id, actor: SYSTEM, action: 'clinic.sms_sender_missing_notice', entityType: 'clinic', entityId: clinic.id, data: { messageIds, admins: admins.map((a) => a.id) } });
  }
}
