import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import type { DeliveryVerdict } from '../messaging/delivery-hooks';
import type { Message } from '../messaging/message.entity';
import { MessagingService } from '../messaging/messaging.service';
import { canReach } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { CheckInDispatchRepository } from './check-in-dispatch.repository';
import { isAwaitingAnswer } from './check-in-status';
import { sendWindowOf, timeZoneOf } from './check-in-timing';
import { nextSendTime, secondsUntilWindowCloses } from './planner';

/**
 * Decides whether a queued message to a patient still goes, and when: only on a channel they
 * still accept, inside the clinic's send window, and (a reminder) only to a check-in still open.
 * Registered with messaging in src/triage/loop-wiring.ts.
 */
@Injectable()
export class CheckInGuards {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: CheckInDispatchRepository,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly clock: Clock,
  ) {}

  /** A queued reminder goes only to an open check-in, on a channel the patient still accepts, in the window. */
  async reminder(message: Message): Promise<DeliveryVerdict> {
    const checkIn = message.checkInId ? await this.repo.find(this.db.manager, message.clinicId, message.checkInId, false) : null;
    if (!checkIn || !isAwaitingAnswer(checkIn, this.clock.now())) return { cancel: `check-in is ${checkIn?.status ?? 'gone'}` };
    return this.patientMessage(message);
  }

  /** Any queued message to a patient: only on a channel they still accept, and inside the send window. */
  async patientMessage(message: Message): Promise<DeliveryVerdict> {
    const now = this.clock.now();
    if (!message.patientId) return { send: true };
    const patient = await this.patients.get(message.clinicId, message.patientId);
    if (!canReach(patient, message.channel)) return { cancel: `patient cannot be reached by ${message.channel} any more` };
    const clinic = await this.clinics.get(message.clinicId);
    if (!this.messaging.liveChannels(clinic.smsFrom).includes(message.channel)) return { cancel: `the ${message.channel} channel is off` };
    const zone = timeZoneOf(patient, clinic);
    const at = nextSendTime(now, zone, sendWindowOf(clinic));
    return at > now ? { notBefore: at } : { send: true, validitySeconds: secondsUntilWindowCloses(now, zone, sendWindowOf(clinic)) };
  }
}
