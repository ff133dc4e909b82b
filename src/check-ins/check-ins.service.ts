import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Patient } from '../patients/patient.entity';
import { Protocol } from '../protocols/protocol.entity';
import type { Treatment } from '../treatments/treatment.entity';
import { courseSessionsAt, isLastOfCourse, Session } from '../treatments/course';
import { CheckIn, CheckInToken, CheckInTreatment } from './check-in.entity';
import { isLateStep, lateStepsToSupersede, localDaysBetween, mergeIntoOpen } from './course-plan';
import { nextSendTime, PlannedCheckIn, planCheckIns, SendWindow } from './planner';
import { MessagingService } from '../messaging/messaging.service';
import { chooseChannel } from '../patients/patient.entity';
import { unsubscribeHeaders } from '../patients/unsubscribe-token';
import { aftercareInstructions } from '../protocols/texts';
import { queryRows } from '../database/query-rows';
import { lockKey } from '../database/advisory-lock';
import { planExtraCheckIn } from './extra-check-in';

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

  /**
   * Plans one check-in per protocol step, inside the treatment's transaction, fitted into the
   * patient's course (`sessions`: the patient's active sessions, this one included):
   * - a step on the same local day as an open check-in joins it (one check-in a day);
   * - if this is the last session of its course, the earlier sessions' late steps not yet sent
   *   are superseded and the late steps are planned from this one (linked to every session of
   *   the course); a back-filled session older than the last plans no late steps.
   */
  async planForTreatment(
    m: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; sendInstructions?: boolean; sessions?: Session[] },
    actor: Actor,
  ): Promise<Array<CheckIn & { treatmentIds: string[] }>> {
    const { treatment, patient, clinic, protocol } = input;
    await this.lockPatientPlan(m, patient.id);
    const sessions = input.sessions ?? [treatment];
    const last = isLastOfCourse(sessions, treatment);
    const earlier = courseSessionsAt(sessions, treatment.performedAt, treatment).filter((s) => s.id !== treatment.id);
    const superseded = last ? await this.supersedeLateSteps(m, { treatment, earlierIds: earlier.map((s) => s.id) }, actor) : [];
    const planned = this.plan(treatment, patient, clinic, protocol).filter((p) => last || !isLateStep(p.dayOffset));
    await this.fitIntoCourse(m, { treatment, patient, clinic, planned, sessions, courseEarlier: last ? earlier : [] }, actor, {
      protocolId: protocol.id,
      protocolVersion: protocol.version,
      ...(superseded.length ? { supersededCheckInIds: superseded } : {}),
    });
    if (input.sendInstructions) await this.queueAftercareInstructions(m, { treatment, patient, clinic, protocol }, actor);
    return this.listForTreatment(treatment.clinicId, treatment.id, m);
  }

  /**
   * The course lost its last session (cancelled): its late steps are planned again from the
   * latest remaining one, `treatment`. Steps already past are not planned again.
   */
  async replanLateSteps(
    m: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; sessions: Session[]; cancelledId: string },
    actor: Actor,
  ): Promise<CheckIn[]> {
    const { treatment, patient, clinic, protocol } = input;
    await this.lockPatientPlan(m, patient.id);
    const taken = new Set(
      (
        await queryRows<{ step: number }>(m, `SELECT step FROM check_ins WHERE treatment_id = $1 AND status <> 'superseded'`, [treatment.id])
      ).map((r) => r.step),
    );
    const planned = this.plan(treatment, patient, clinic, protocol).filter((p) => isLateStep(p.dayOffset) && p.status === 'scheduled' && !taken.has(p.step));
    const earlier = courseSessionsAt(input.sessions, treatment.performedAt, treatment).filter((s) => s.id !== treatment.id);
    await this.fitIntoCourse(m, { treatment, patient, clinic, planned, sessions: input.sessions, courseEarlier: earlier }, actor, {
      protocolId: protocol.id,
      protocolVersion: protocol.version,
      reason: 'late steps planned again: the last session of the course was cancelled',
      cancelledTreatmentId: input.cancelledId,
    });
    return this.listForTreatment(treatment.clinicId, treatment.id, m);
  }

  /** Planning for one patient is serialised: two sessions recorded at once must not both take a day. Take it before reading the patient's sessions. */
  async lockPatientPlan(m: EntityManager, patientId: string): Promise<void> {
    await lockKey(m, `check-in-plan:${patientId}`);
  }

  private plan(treatment: Treatment, patient: Patient, clinic: Clinic, protocol: Protocol): PlannedCheckIn[] {
    return planCheckIns({ ...timingOf(treatment, patient, clinic, protocol), dayOffsets: protocol.dayOffsets, now: this.clock.now() });
  }

  /** The earlier sessions' late steps not yet sent give way to the new last session's. */
  private async supersedeLateSteps(m: EntityManager, input: { treatment: Treatment; earlierIds: string[] }, actor: Actor): Promise<string[]> {
    if (!input.earlierIds.length) return [];
    const candidates = await queryRows<{ id: string; treatmentId: string; dayOffset: number; status: string }>(
      m,
      `SELECT id, treatment_id AS "treatmentId", day_offset AS "dayOffset", status FROM check_ins
        WHERE patient_id = $1 AND status = 'scheduled' AND treatment_id = ANY($2::uuid[]) FOR UPDATE`,
      [input.treatment.patientId, input.earlierIds],
    );
    const ids = lateStepsToSupersede(candidates, input.earlierIds);
    if (!ids.length) return [];
    await m.query(`UPDATE check_ins SET status = 'superseded', lease_owner = NULL, lease_expires_at = NULL WHERE id = ANY($1::uuid[])`, [ids]);
    for (const c of candidates.filter((x) => ids.includes(x.id))) {
      await this.audit.record(m, {
        clinicId: input.treatment.clinicId,
        actor,
        action: 'check_in.superseded',
        entityType: 'check_in',
        entityId: c.id,
        data: { treatmentId: c.treatmentId, dayOffset: c.dayOffset, supersededBy: input.treatment.id, reason: 'late steps run from the last session of the course' },
      });
    }
    return ids;
  }

  /** Inserts the planned steps, or merges them into the patient's open check-in of the same local day; links each to the sessions it counts for. */
  private async fitIntoCourse(
    m: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; planned: PlannedCheckIn[]; sessions: Session[]; courseEarlier: Session[] },
    actor: Actor,
    auditData: Record<string, unknown>,
  ): Promise<void> {
    const { treatment } = input;
    const now = this.clock.now();
    const zone = timeZoneOf(input.patient, input.clinic);
    const performedAt = new Map(input.sessions.map((s) => [s.id, s.performedAt]));
    const open = await queryRows<{ id: string; dueAt: Date; treatmentId: string }>(
      m,
      `SELECT id, due_at AS "dueAt", treatment_id AS "treatmentId" FROM check_ins
        WHERE patient_id = $1 AND status IN ('scheduled', 'sending', 'sent') AND expires_at > $2 FOR UPDATE`,
      [treatment.patientId, now],
    );
    const plan = mergeIntoOpen({
      open: open.map((c) => ({ id: c.id, dueAt: new Date(c.dueAt), ownerPerformedAt: performedAt.get(c.treatmentId) ?? null })),
      planned: input.planned,
      performedAt: treatment.performedAt,
      timeZone: zone,
    });
    const repo = m.getRepository(CheckIn);
    const rows = plan.inserts.length ? await repo.save(plan.inserts.map((p) => repo.create(newCheckIn(treatment, p, now)))) : [];
    const links: CheckInTreatment[] = [];
    for (const r of rows) {
      links.push({ checkInId: r.id, treatmentId: treatment.id, clinicId: treatment.clinicId, step: r.step, dayOffset: r.dayOffset });
      // A late step of the last session counts for every session of the course: it replaced theirs.
      if (isLateStep(r.dayOffset)) {
        for (const s of input.courseEarlier) {
          links.push({ checkInId: r.id, treatmentId: s.id, clinicId: treatment.clinicId, step: null, dayOffset: localDaysBetween(s.performedAt, r.dueAt, zone) });
        }
      }
    }
    const openDue = new Map(open.map((c) => [c.id, new Date(c.dueAt)]));
    for (const g of plan.merges) {
      links.push({ checkInId: g.checkInId, treatmentId: treatment.id, clinicId: treatment.clinicId, step: g.planned.step, dayOffset: g.planned.dayOffset });
      if (isLateStep(g.planned.dayOffset)) {
        for (const s of input.courseEarlier) {
          links.push({ checkInId: g.checkInId, treatmentId: s.id, clinicId: treatment.clinicId, step: null, dayOffset: localDaysBetween(s.performedAt, openDue.get(g.checkInId)!, zone) });
        }
      }
    }
    if (links.length) await m.createQueryBuilder().insert().into(CheckInTreatment).values(links).orIgnore().execute();
    for (const g of plan.merges) {
      // The owner is the most recent session the check-in counts for: answers are judged from its day.
      if (g.repoint) await m.update(CheckIn, { id: g.checkInId }, { treatmentId: treatment.id, step: g.planned.step, dayOffset: g.planned.dayOffset });
      await this.audit.record(m, {
        clinicId: treatment.clinicId,
        actor,
        action: 'check_in.merged',
        entityType: 'check_in',
        entityId: g.checkInId,
        data: { treatmentId: treatment.id, step: g.planned.step, dayOffset: g.planned.dayOffset, ownerChanged: g.repoint },
      });
    }
    await this.audit.record(m, {
      clinicId: treatment.clinicId,
      actor,
      action: 'check_ins.planned',
      entityType: 'treatment',
      entityId: treatment.id,
      data: {
        ...auditData,
        checkIns: rows.map((r) => ({ id: r.id, step: r.step, dayOffset: r.dayOffset, dueAt: r.dueAt.toISOString(), status: r.status })),
        ...(plan.merges.length ? { merged: plan.merges.map((g) => ({ id: g.checkInId, step: g.planned.step, dayOffset: g.planned.dayOffset })) } : {}),
      },
    });
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
    const channel = chooseChannel(patient, null, this.messaging.liveChannels(clinic.smsFrom));
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
        from: channel === 'sms' ? clinic.smsFrom : emailSenderOf(clinic, this.config.emailFrom, this.config.emailFromDomains),
        subject: text.subject,
        text: text.text,
        html: text.html ?? null,
        headers: channel === 'email' ? unsubscribeHeaders(patient.id, this.config.publicBaseUrl, this.config.jwtSecret) : null,
      },
      nextSendTime(this.clock.now(), timeZoneOf(patient, clinic), sendWindowOf(clinic)),
    );
    await this.audit.record(m, { clinicId: clinic.id, actor, action: 'treatment.instructions_queued', entityType: 'treatment', entityId: treatment.id, data: { messageId: message.id, channel } });
  }

  /**
   * The treatment's open check-ins when it is cancelled. One that also counts for another
   * active session stays: it loses this session, and if this session owned it, the most recent
   * other session whose step it is becomes the owner. The others are cancelled, late steps
   * included (the caller plans them again from the course's latest remaining session).
   */
  async cancelForTreatment(m: EntityManager, clinicId: string, treatmentId: string, actor: Actor, activeSessions: Session[] = []): Promise<number> {
    const performedAt = new Map(activeSessions.filter((s) => s.id !== treatmentId).map((s) => [s.id, s.performedAt.getTime()]));
    const open = await queryRows<{ id: string; owner: string; dayOffset: number }>(
      m,
      `SELECT c.id, c.treatment_id AS owner, c.day_offset AS "dayOffset" FROM check_ins c
         JOIN check_in_treatments l ON l.check_in_id = c.id
        WHERE c.clinic_id = $1 AND l.treatment_id = $2 AND c.status IN ('scheduled', 'sending', 'sent') FOR UPDATE OF c`,
      [clinicId, treatmentId],
    );
    let cancelled = 0;
    for (const c of open) {
      const others = (
        await queryRows<{ treatmentId: string; step: number | null; dayOffset: number }>(
          m,
          `SELECT treatment_id AS "treatmentId", step, day_offset AS "dayOffset" FROM check_in_treatments WHERE check_in_id = $1 AND treatment_id <> $2`,
          [c.id, treatmentId],
        )
      ).filter((l) => performedAt.has(l.treatmentId));
      const stays = c.owner !== treatmentId && performedAt.has(c.owner);
      const heir = c.owner === treatmentId && !isLateStep(c.dayOffset)
        ? others.filter((l) => l.step !== null).sort((a, b) => performedAt.get(b.treatmentId)! - performedAt.get(a.treatmentId)!)[0]
        : undefined;
      if (stays || heir) {
        await m.delete(CheckInTreatment, { checkInId: c.id, treatmentId });
        if (heir) await m.update(CheckIn, { id: c.id }, { treatmentId: heir.treatmentId, step: heir.step!, dayOffset: heir.dayOffset });
        await this.audit.record(m, {
          clinicId,
          actor,
          action: 'check_in.repointed',
          entityType: 'check_in',
          entityId: c.id,
          data: { removedTreatmentId: treatmentId, ownerId: heir?.treatmentId ?? c.owner, reason: 'treatment cancelled; the check-in still counts for another session' },
        });
        continue;
      }
      await m.update(CheckIn, { id: c.id }, { status: 'cancelled', leaseOwner: null, leaseExpiresAt: null });
      await this.audit.record(m, { clinicId, actor, action: 'check_in.cancelled', entityType: 'check_in', entityId: c.id, data: { treatmentId, reason: 'treatment cancelled' } });
      cancelled++;
    }
    return cancelled;
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

  /** Erasure: delivery errors may have quoted the patient's number or address; none is kept. */
  async eraseErrorsForPatient(m: EntityManager, clinicId: string, patientId: string): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      m,
      `UPDATE check_ins SET last_error = NULL WHERE clinic_id = $1 AND patient_id = $2 AND last_error IS NOT NULL RETURNING id`,
      [clinicId, patientId],
    );
    return rows.length;
  }

  /** The check-ins that count for the treatment (merged ones included), with every session each counts for. */
  async listForTreatment(clinicId: string, treatmentId: string, m: EntityManager = this.db.manager): Promise<Array<CheckIn & { treatmentIds: string[] }>> {
    const rows = await m
      .getRepository(CheckIn)
      .createQueryBuilder('c')
      .where('c.clinic_id = :clinicId', { clinicId })
      .andWhere('(c.treatment_id = :treatmentId OR c.id IN (SELECT l.check_in_id FROM check_in_treatments l WHERE l.treatment_id = :treatmentId))', { treatmentId })
      .orderBy('c.due_at', 'ASC')
      .addOrderBy('c.step', 'ASC')
      .getMany();
    const links = rows.length ? await m.getRepository(CheckInTreatment).find({ where: { checkInId: In(rows.map((r) => r.id)) } }) : [];
    return rows.map((r) => ({ ...r, treatmentIds: links.filter((l) => l.checkInId === r.id).map((l) => l.treatmentId) }));
  }

  /** The sessions a check-in counts for (its merged steps and the course's late steps). */
  async treatmentIdsOf(m: EntityManager, checkInId: string): Promise<string[]> {
    return (await queryRows<{ treatment_id: string }>(m, `SELECT treatment_id FROM check_in_treatments WHERE check_in_id = $1`, [checkInId])).map((r) => r.treatment_id);
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

  // --- Extra check-ins asked for from a flag (triage) ---

  /**
   * One extra check-in for the treatment `inDays` days from now, in the caller's transaction. At
   * most one check-in per patient per local day: if one is already open that day it is reused
   * (`reused: true`) and nothing new is planned.
   */
  async planExtra(
    m: EntityManager,
    input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol; inDays: number; flagId: string },
    actor: Actor,
  ): Promise<{ checkIn: CheckIn; reused: boolean }> {
    const { treatment, patient, clinic, protocol } = input;
    const plan = planExtraCheckIn({ ...timingOf(treatment, patient, clinic, protocol), now: this.clock.now(), inDays: input.inDays });
    // The same lock as course planning: the one-a-day check and the step number stay true.
    await this.lockPatientPlan(m, patient.id);
    const sameDay = await m
      .getRepository(CheckIn)
      .createQueryBuilder('c')
      .where(`c.patient_id = :patientId AND c.status IN ('scheduled', 'sending', 'sent') AND c.due_at >= :start AND c.due_at < :end`, {
        patientId: patient.id,
        start: plan.day.start,
        end: plan.day.end,
      })
      .orderBy('c.due_at')
      .getOne();
    if (sameDay) return { checkIn: sameDay, reused: true };
    const [{ step }] = await m.query(`SELECT coalesce(max(step), 0) + 1 AS step FROM check_ins WHERE treatment_id = $1`, [treatment.id]);
    const repo = m.getRepository(CheckIn);
    const checkIn = await repo.save(
      repo.create({ ...newCheckIn(treatment, { ...plan, step: Number(step), status: 'scheduled' }, this.clock.now()), requestedByFlagId: input.flagId }),
    );
    // Counts for the flag's session only: it was asked for about that treatment.
    await m.getRepository(CheckInTreatment).insert({ checkInId: checkIn.id, treatmentId: treatment.id, clinicId: treatment.clinicId, step: checkIn.step, dayOffset: checkIn.dayOffset });
    await this.audit.record(m, {
      clinicId: treatment.clinicId,
      actor,
      action: 'check_in.extra_planned',
      entityType: 'check_in',
      entityId: checkIn.id,
      data: { treatmentId: treatment.id, flagId: input.flagId, step: checkIn.step, dayOffset: checkIn.dayOffset, dueAt: checkIn.dueAt.toISOString() },
    });
    return { checkIn, reused: false };
  }
}

/** The protocol's timing for a patient: when in their day a check-in goes, how long it stays open. */
function timingOf(treatment: Treatment, patient: Patient, clinic: Clinic, protocol: Protocol) {
  return {
    performedAt: treatment.performedAt,
    timeZone: timeZoneOf(patient, clinic),
    sendTime: protocol.sendTime.slice(0, 5),
    sendWindow: sendWindowOf(clinic),
    expiryHours: protocol.expiryHours,
    reminderAfterHours: protocol.reminderAfterHours ?? protocol.expiryHours * 2,
  };
}

/** A new check-in row for a planned step: nothing sent, tried or answered yet. */
function newCheckIn(
  treatment: Treatment,
  p: Pick<PlannedCheckIn, 'step' | 'dayOffset' | 'dueAt' | 'expiresAt' | 'remindAt' | 'status'>,
  now: Date,
): Partial<CheckIn> {
  return {
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
  };
}
