import { EntityManager } from 'typeorm';
import { Clinic } from '../clinics/clinic.entity';
import { StaffUser } from '../clinics/staff-user.entity';
import { MessagingService } from '../messaging/messaging.service';

export interface StaffAlerted {
  staffUserId: string;
  channels: Array<'sms' | 'email'>;
}

/**
 * An alert to each person by SMS (when they have a phone) and by email, queued in the caller's
 * transaction: one channel may be off, asleep or slow, the other still reaches them.
 */
export async function queueStaffAlerts(
  messaging: MessagingService,
  tx: EntityManager,
  clinic: Clinic,
  staff: StaffUser[],
  alert: { subject: string; text: string },
): Promise<{ messageIds: string[]; alerted: StaffAlerted[] }> {
  const messageIds: string[] = [];
  const alerted: StaffAlerted[] = [];
  // A channel that is off (or SMS with no sender) is not queued on at all.
  const live = messaging.liveChannels(clinic.smsFrom);
  for (const s of staff) {
    const channels: StaffAlerted['channels'] = [];
    const targets: Array<{ channel: 'sms' | 'email'; to: string; from: string | null }> = [];
    if (s.phone && live.includes('sms')) targets.push({ channel: 'sms', to: s.phone, from: clinic.smsFrom });
    if (s.email && live.includes('email')) targets.push({ channel: 'email', to: s.email, from: null });
    for (const target of targets) {
      const msg = await messaging.enqueue(tx, {
        clinicId: clinic.id,
        staffUserId: s.id,
        channel: target.channel,
        purpose: 'staff_alert',
        to: target.to,
        from: target.from,
        subject: alert.subject,
        text: alert.text,
      });
      messageIds.push(msg.id);
      channels.push(target.channel);
    }
    alerted.push({ staffUserId: s.id, channels });
  }
  return { messageIds, alerted };
}
