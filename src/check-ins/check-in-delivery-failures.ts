import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import type { DeliveryFailure } from '../messaging/delivery-hooks';
import type { Message } from '../messaging/message.entity';
import { MessagingService } from '../messaging/messaging.service';
import { PatientsService } from '../patients/patients.service';
import { AdminNotices } from './admin-notices';
import { CheckInDispatchRepository } from './check-in-dispatch.repository';
import { isAwaitingAnswer } from './check-in-status';
import type { CheckIn } from './check-in.entity';
import { decideCheckInFailure } from './check-in-failure';
import { sendWindowOf, timeZoneOf } from './check-in-timing';
import { nextSendTime } from './planner';

/**
 * Decides what a failed message means for the patient (the failure hook of messaging, run in the
 * transaction that records the failure): an SMS opt-out or an invalid number or address is
 * recorded on their contact points, a spam filter alerts the clinic's admins, and a check-in
 * already marked sent whose message came back undelivered is retried, falls back or fails.
 */
@Injectable()
export class CheckInDeliveryFailures {
  constructor(
    private readonly repo: CheckInDispatchRepository,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly notices: AdminNotices,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async afterFailure(tx: EntityManager, message: Message, failure: DeliveryFailure): Promise<void> {
    if (message.patientId) {
      if (failure.kind === 'opted_out' && message.channel === 'sms') {
        const patient = await this.patients.get(message.clinicId, message.patientId, tx);
        await this.patients.changeConsent(tx, patient, { type: 'provider', id: message.transport }, { channel: 'sms', change: 'opted_out', source: `${message.transport}:${failure.code}` });
      } else if (failure.kind === 'invalid_contact') {
        await this.patients.markContactInvalid(tx, message.clinicId, message.patientId, message.channel, { code: failure.code, source: message.transport });
      } else if (failure.kind === 'spam_filtered') {
        await this.notices.smsFiltered(tx, message, failure.code);
      }
    }
    // A send that was accepted and then came back undelivered: the check-in is not done yet.
    if (failure.via === 'callback' && message.purpose === 'check_in' && message.checkInId) {
      await this.reopenUndelivered(tx, message, message.checkInId, failure);
    }
  }

  private async reopenUndelivered(tx: EntityManager, message: Message, checkInId: string, failure: DeliveryFailure): Promise<void> {
    const checkIn = await this.repo.find(tx, message.clinicId, checkInId, true);
    const now = this.clock.now();
    if (!checkIn || !isAwaitingAnswer(checkIn, now)) return;
    const patient = await this.patients.get(checkIn.clinicId, checkIn.patientId, tx);
    const clinic = await this.clinics.get(checkIn.clinicId, tx);
    const zone = timeZoneOf(patient, clinic);
    const window = sendWindowOf(clinic);
    const live = this.messaging.liveChannels(clinic.smsFrom);
    const { decision, other } = decideCheckInFailure({ checkIn, patient, channel: message.channel, kind: failure.kind, live });
    let changes: Partial<CheckIn>;
    let action: string;
    if (decision.action === 'retry') {
      changes = { status: 'scheduled', nextAttemptAt: nextSendTime(new Date(now.getTime() + decision.delayMs), zone, window) };
      action = 'check_in.retry_scheduled';
    } else if (decision.action === 'fallback') {
      changes = { status: 'scheduled', channel: other, fallbackFrom: message.channel, attempts: 0, nextAttemptAt: nextSendTime(now, zone, window) };
      action = 'check_in.fallback';
    } else {
      changes = { status: 'failed' };
      action = 'check_in.failed';
    }
    const kind = failure.kind;
    await this.repo.update(tx, checkIn.clinicId, checkIn.id, { ...changes, lastError: `undelivered (${kind})`, sentAt: null });
    await this.audit.record(tx, { clinicId: checkIn.clinicId, actor: SYSTEM, action, entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel: message.channel, kind, via: 'status callback' } });
  }
}
