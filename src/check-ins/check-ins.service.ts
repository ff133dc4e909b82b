import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, AuditService } from '../audit/audit.service';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Patient } from '../patients/patient.entity';
import { Protocol } from '../protocols/protocol.entity';
import type { Treatment } from '../treatments/treatment.entity';
import { CheckIn, CheckInToken } from './check-in.entity';
import { nextSendTime, planCheckIns, SendWindow } from './planner';
import { MessagingService } from '../messaging/messaging.service';
import { chooseChannel } from '../patients/patient.entity';
import { unsubscribeHeaders } from '../patients/unsubscribe-token';
import { aftercareInstructions } from '../protocols/texts';
import { queryRows } from '../database/query-rows';

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export function sendWindowOf(clinic: Clinic): SendWindow {
  return { start: clinic.sendWindowStart.slice(0, 5), end: clinic.sendWindowEnd.slice(0, 5) };
}

export function timeZoneOf(patient: Patient, clinic: Clinic): string {
  return patient.timeZone ?? clinic.timeZone;
}

export type TokenLookup =
  | { state: 'open'; checkIn: CheckIn }
  | { state: 'unknown' }
  | { state: 'answered' | 'expired' | 'closed'; checkIn: CheckIn };

/** Check-ins: planning them for a treatment, their links, and their state as answers come in. */
@Injectable()
export class CheckInsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messaging: MessagingService,
  ) {}

  /** Plans one check-in per protocol step, inside the treatment's transaction. */
  async planForTreatment(
    m: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; sendInstructions?: boolean },
    actor: Actor,
  ): Promise<CheckIn[]> {
    const { treatment, patient, clinic, protocol } = input;
    const now = this.clock.now();
    const plan = planCheckIns({
      performedAt: treatment.performedAt,
      timeZone: timeZoneOf(patient, clinic),
      dayOffsets: protocol.dayOffsets,
      sendTime: protocol.sendTime.slice(0, 5),
      sendWindow: sendWindowOf(clinic),
      expiryHours: protocol.expiryHours,
      reminderAfterHours: protocol.reminderAfterHours ?? protocol.expiryHours * 2,
      now,
    });
    const repo = m.getRepository(CheckIn);
    const rows = await repo.save(
      plan.map((p) =>
        repo.create({
          clinicId: treatment.clinicId,
          treatmentId: treatment.id,
          patientId: treatment.patientId,
          step: p.step,
          dayOffset: p.dayOffset,
          dueAt: p.dueAt,
          expiresAt: p.expiresAt,
          remindAt: p.remindAt,
          status: p.status,
          channel: null,
          attempts: 0,
          nextAttemptAt: p.dueAt,
          sentAt: null,
          reminderSentAt: null,
          answeredAt: null,
          clarificationsSent: 0,
          lastError: null,
          createdAt: now,
        }),
      ),
    );
    await this.audit.record(m, {
      clinicId: treatment.clinicId,
      actor,
      action: 'check_ins.planned',
      entityType: 'treatment',
      entityId: treatment.id,
      data: {
        protocolId: protocol.id,
        protocolVersion: protocol.version,
        checkIns: rows.map((r) => ({ id: r.id, step: r.step, dayOffset: r.dayOffset, dueAt: r.dueAt.toISOString(), status: r.status })),
      },
    });
    if (input.sendInstructions) await this.queueAftercareInstructions(m, { treatment, patient, clinic, protocol }, actor);
    for (const r of rows.filter((x) => x.status === 'expired')) {
      await this.audit.record(m, {
        clinicId: r.clinicId,
        actor,
        action: 'check_in.expired',
        entityType: 'check_in',
        entityId: r.id,
        data: { treatmentId: r.treatmentId, step: r.step, reason: 'entered after it expired' },
      });
    }
    return rows;
  }

  /**
   * One message as soon as a treatment is recorded: what is usual, the warning signs, the
   * clinic's phone, and when the check-ins come. Queued here, sent by the next tick in the window.
   */
  private async queueAftercareInstructions(
    m: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol },
    actor: Actor,
  ): Promise<void> {
    const { treatment, patient, clinic, protocol } = input;
    const channel = chooseChannel(patient);
    if (!channel) return;
    const text = aftercareInstructions(patient.locale, { clinicName: clinic.name, clinicPhone: clinic.phone, dayOffsets: protocol.dayOffsets, channel });
    const message = await this.messaging.enqueue(
      m,
      {
        clinicId: clinic.id,
        patientId: patient.id,
        channel,
        purpose: 'aftercare_instructions',
        to: channel === 'sms' ? patient.phone! : patient.email!,
        from: channel === 'sms' ? clinic.smsFrom : emailSenderOf(clinic, this.config.emailFrom),
        subject: text.subject,
        text: text.text,
        html: text.html ?? null,
        headers: channel === 'email' ? unsubscribeHeaders(patient.id, this.config.publicBaseUrl, this.config.jwtSecret) : null,
      },
      nextSendTime(this.clock.now(), timeZoneOf(patient, clinic), sendWindowOf(clinic)),
    );
    await this.audit.record(m, { clinicId: clinic.id, actor, action: 'treatment.instructions_queued', entityType: 'treatment', entityId: treatment.id, data: { messageId: message.id, channel } });
  }

  async cancelForTreatment(m: EntityManager, clinicId: string, treatmentId: string, actor: Actor): Promise<number> {
    const ids = await queryRows<{ id: string }>(
      m,
      `UPDATE check_ins SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL
        WHERE clinic_id = $1 AND treatment_id = $2 AND status IN ('scheduled', 'sending', 'sent') RETURNING id`,
      [clinicId, treatmentId],
    );
    for (const { id } of ids) {
      await this.audit.record(m, { clinicId, actor, action: 'check_in.cancelled', entityType: 'check_in', entityId: id, data: { treatmentId, reason: 'treatment cancelled' } });
    }
    return ids.length;
  }

  /** Every check-in of the patient still to be sent or answered is cancelled (erasure); their links die with them. */
  async cancelForPatient(m: EntityManager, clinicId: string, patientId: string, actor: Actor, reason: string): Promise<number> {
    const ids = await queryRows<{ id: string }>(
      m,
      `UPDATE check_ins SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL
        WHERE clinic_id = $1 AND patient_id = $2 AND status IN ('scheduled', 'sending', 'sent') RETURNING id`,
      [clinicId, patientId],
    );
    for (const { id } of ids) {
      await this.audit.record(m, { clinicId, actor, action: 'check_in.cancelled', entityType: 'check_in', entityId: id, data: { patientId, reason } });
    }
    return ids.length;
  }

  listForTreatment(clinicId: string, treatmentId: string): Promise<CheckIn[]> {
    return this.db.getRepository(CheckIn).find({ where: { clinicId, treatmentId }, order: { step: 'ASC' } });
  }

  /** A new link for a message about this check-in; only its hash is kept. 256 random bits. */
  async issueToken(m: EntityManager, checkInId: string): Promise<{ token: string; link: string }> {
    const token = randomBytes(32).toString('base64url');
    await m.getRepository(CheckInToken).insert({ tokenHash: hashToken(token), checkInId, createdAt: this.clock.now() });
    return { token, link: `${this.config.publicBaseUrl}/c/${token}` };
  }

  /** Reading a link changes nothing: mail scanners open links too. */
  async lookupToken(token: string, m: EntityManager = this.db.manager, lock = false): Promise<TokenLookup> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'unknown' };
    const row = await m.getRepository(CheckInToken).findOneBy({ tokenHash: hashToken(token) });
    if (!row) return { state: 'unknown' };
    const checkIn = await m
      .getRepository(CheckIn)
      .createQueryBuilder('c')
      .where('c.id = :id', { id: row.checkInId })
      .setLock(lock ? 'pessimistic_write' : undefined as never)
      .getOne();
    if (!checkIn) return { state: 'unknown' };
    if (checkIn.status === 'answered') return { state: 'answered', checkIn };
    if (checkIn.status === 'expired' || checkIn.expiresAt <= this.clock.now()) return { state: 'expired', checkIn };
    if (checkIn.status === 'cancelled' || checkIn.status === 'failed') return { state: 'closed', checkIn };
    return { state: 'open', checkIn };
  }

  /** The check-in an SMS reply answers: the patient's most recently sent one still open. */
  async openCheckInForPatient(m: EntityManager, patientId: string): Promise<CheckIn | null> {
    return m
      .getRepository(CheckIn)
      .createQueryBuilder('c')
      .where(`c.patient_id = :patientId AND c.status = 'sent' AND c.expires_at > :now`, { patientId, now: this.clock.now() })
      .orderBy('c.sent_at', 'DESC')
      .setLock('pessimistic_write')
      .getOne();
  }

  async markAnswered(m: EntityManager, checkIn: CheckIn, actor: Actor, responseId: string): Promise<void> {
    const now = this.clock.now();
    await m.update(CheckIn, { id: checkIn.id }, { status: 'answered', answeredAt: now, leaseOwner: null, leaseExpiresAt: null });
    await this.audit.record(m, {
      clinicId: checkIn.clinicId,
      actor,
      action: 'check_in.answered',
      entityType: 'check_in',
      entityId: checkIn.id,
      data: { treatmentId: checkIn.treatmentId, responseId },
    });
  }

  async noteClarification(m: EntityManager, checkIn: CheckIn): Promise<void> {
    await m.increment(CheckIn, { id: checkIn.id }, 'clarificationsSent', 1);
  }

  listForPatient(clinicId: string, patientId: string): Promise<CheckIn[]> {
    return this.db.getRepository(CheckIn).find({ where: { clinicId, patientId }, order: { dueAt: 'ASC', step: 'ASC' } });
  }

  async getForClinic(clinicId: string, id: string): Promise<CheckIn> {
    const c = await this.db.getRepository(CheckIn).findOneBy({ clinicId, id });
    if (!c) throw new NotFoundException('Check-in not found');
    return c;
  }
}
