import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { backoffDelayMs } from '../common/backoff';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { PeriodicPass } from '../common/periodic-pass';
import { mapWithConcurrency } from '../common/concurrency';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Message } from '../messaging/message.entity';
import { FlagsService } from '../flags/flags.service';
import { FailureKind, classifyFailure } from '../messaging/delivery-failure';
import { DeliveryVerdict, MessageDraft, MessagingService } from '../messaging/messaging.service';
import { DeliveryError } from '../messaging/transports';
import { canReach, Channel, chooseChannel, Patient } from '../patients/patient.entity';
import { unsubscribeHeaders } from '../patients/unsubscribe-token';
import { PatientsService } from '../patients/patients.service';
import { checkInEmail, checkInSms, smsClinicName } from '../protocols/texts';
import { CheckIn } from './check-in.entity';
import { CheckInsService, sendWindowOf, timeZoneOf } from './check-ins.service';
import { nextSendTime, secondsUntilWindowCloses, SendWindow } from './planner';
import { queryRows } from '../database/query-rows';

export const MAX_SEND_ATTEMPTS = 5;
/**
 * Leases live on the database's clock (clock_timestamp() in SQL), never on an instance's Clock:
 * a skewed instance can neither take a lease early nor make its own last longer. Due times stay
 * on the Clock (business time).
 */
const LEASE_MS = 5 * 60_000;

export interface TickReport {
  released: number;
  expired: number;
  claimed: number;
  sent: number;
  /** Put back in the queue: a retry after a transient error, or a fallback to the other channel. */
  retried: number;
  /** Claimed outside the send window and put back for its opening. */
  deferred: number;
  failed: number;
  /** Left alone because another instance or a cancellation got there first. */
  skipped: number;
  errors: number;
  reminders: number;
  messages: number;
}

export type DispatchResult = 'sent' | 'retried' | 'deferred' | 'failed' | 'skipped' | 'errors';

/**
 * The check-in table is the queue. Each tick returns lapsed leases, expires what is overdue,
 * claims due check-ins with FOR UPDATE SKIP LOCKED under a lease, sends them, queues reminders,
 * and delivers queued messages. Several instances may tick against one database.
 */
@Injectable()
export class CheckInDispatcher implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  private get leaseMs(): number {
    return this.config.dispatchLeaseMs ?? LEASE_MS;
  }

  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly pass = new PeriodicPass<TickReport>('check-in-dispatcher', this.logger);
  /** Set at shutdown: nothing more is claimed, and what was claimed but not yet sent goes back. */
  private draining = false;
  private drained: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly checkIns: CheckInsService,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly flags: FlagsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.messaging.guard('reminder', (message) => this.reminderStillWanted(message));
    this.messaging.guard('aftercare_instructions', (message) => this.patientMessageStillWanted(message));
    this.messaging.onFailure((m, message, failure) => this.afterDeliveryFailure(m, message, failure));
  }

  /** What a failed message means for the patient's contact points, and for a check-in already marked sent. */
  private async afterDeliveryFailure(m: EntityManager, message: Message, failure: { kind: FailureKind; code: string | null; via: 'send' | 'callback' }): Promise<void> {
    if (message.patientId) {
      if (failure.kind === 'opted_out' && message.channel === 'sms') {
        const patient = await this.patients.findById(message.patientId, m);
        await this.patients.changeConsent(m, patient, { type: 'provider', id: message.transport }, { channel: 'sms', change: 'opted_out', source: `${message.transport}:${failure.code}` });
      } else if (failure.kind === 'invalid_contact') {
        await this.patients.markContactInvalid(m, message.patientId, message.channel, { code: failure.code, source: message.transport });
      } else if (failure.kind === 'spam_filtered') {
        await this.alertAdminsOfFiltering(m, message, failure.code);
      }
    }
    // A send that was accepted and then came back undelivered: the check-in is not done yet.
    if (failure.via === 'callback' && message.purpose === 'check_in' && message.checkInId) {
      await this.reopenUndelivered(m, message, failure.kind);
    }
  }

  private async reopenUndelivered(m: EntityManager, message: Message, kind: FailureKind): Promise<void> {
    const checkIn = await m.getRepository(CheckIn).findOne({ where: { id: message.checkInId! }, lock: { mode: 'pessimistic_write' } });
    const now = this.clock.now();
    if (!checkIn || checkIn.status !== 'sent' || checkIn.expiresAt <= now) return;
    const patient = await this.patients.findById(checkIn.patientId, m);
    const clinic = await this.clinics.get(checkIn.clinicId, m);
    const zone = timeZoneOf(patient, clinic);
    const window = sendWindowOf(clinic);
    const other: Channel = message.channel === 'sms' ? 'email' : 'sms';
    const live = this.messaging.liveChannels(clinic.smsFrom);
    let changes: Partial<CheckIn>;
    let action: string;
    if (kind === 'transient' && checkIn.attempts < MAX_SEND_ATTEMPTS && chooseChannel(patient, message.channel, live) === message.channel) {
      changes = { status: 'scheduled', nextAttemptAt: nextSendTime(new Date(now.getTime() + backoffDelayMs(checkIn.attempts)), zone, window) };
      action = 'check_in.retry_scheduled';
    } else if (!checkIn.fallbackFrom && chooseChannel(patient, other, live) === other) {
      changes = { status: 'scheduled', channel: other, fallbackFrom: message.channel, attempts: 0, nextAttemptAt: nextSendTime(now, zone, window) };
      action = 'check_in.fallback';
    } else {
      changes = { status: 'failed' };
      action = 'check_in.failed';
    }
    await m.update(CheckIn, { id: checkIn.id }, { ...changes, lastError: `undelivered (${kind})`, sentAt: null });
    await this.audit.record(m, { clinicId: checkIn.clinicId, actor: SYSTEM, action, entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel: message.channel, kind, via: 'status callback' } });
  }


  /** A carrier spam filter is not retried blindly: the clinic's admins hear of it. */
  private async alertAdminsOfFiltering(m: EntityManager, message: Message, code: string | null): Promise<void> {
    const clinic = await this.clinics.get(message.clinicId, m);
    const admins = await this.clinics.staffWithRoles(message.clinicId, ['admin'], m);
    for (const admin of admins) {
      await this.messaging.enqueue(m, {
        clinicId: clinic.id,
        staffUserId: admin.id,
        channel: 'email',
        purpose: 'staff_alert',
        to: admin.email,
        subject: `[ACTION] A carrier filtered an Aftercare SMS from ${clinic.name}`,
        text: `A mobile carrier filtered an SMS to a patient as spam (Twilio error ${code ?? 'unknown'}, message ${message.id}). It will not be retried on SMS. Please check the clinic's SMS sender registration and the message wording; the check-in falls back to email where the patient consented.`,
      });
    }
    await this.audit.record(m, { clinicId: clinic.id, actor: SYSTEM, action: 'message.filtered_alert_queued', entityType: 'message', entityId: message.id, data: { errorCode: code, admins: admins.map((a) => a.id) } });
  }

  /**
   * Once per clinic (until its SMS sender changes), in the caller's transaction: its admins hear by
   * email that SMS cannot go out for it, and that check-ins go by email meanwhile.
   */
  private async noticeSmsSenderMissing(m: EntityManager, clinic: Clinic, live: Channel[]): Promise<void> {
    if (!live.includes('email') || !(await this.clinics.claimSmsSenderNotice(m, clinic.id))) return;
    const admins = await this.clinics.staffWithRoles(clinic.id, ['admin'], m);
    const messageIds: string[] = [];
    for (const admin of admins) {
      const message = await this.messaging.enqueue(m, {
        clinicId: clinic.id,
        staffUserId: admin.id,
        channel: 'email',
        purpose: 'staff_alert',
        to: admin.email,
        subject: `[ACTION] Aftercare cannot send SMS for ${clinic.name}: no SMS sender`,
        text:
          `Aftercare has no SMS sender for ${clinic.name}: the clinic has no SMS number or messaging service of its own (smsFrom), and the service has no default (TWILIO_FROM). ` +
          `Until one is set, check-ins of patients who prefer SMS go by email where they consented to it; patients reachable only by SMS get none. ` +
          `Set the clinic's SMS sender in its settings (PATCH /v1/clinic, smsFrom) to send by SMS again. This notice is sent once.`,
      });
      messageIds.push(message.id);
    }
    await this.audit.record(m, { clinicId: clinic.id, actor: SYSTEM, action: 'clinic.sms_sender_missing_notice', entityType: 'clinic', entityId: clinic.id, data: { messageIds, admins: admins.map((a) => a.id) } });
  }

  /** A queued reminder goes only to an open check-in, on a channel the patient still accepts, in the window. */
  private async reminderStillWanted(message: Message): Promise<DeliveryVerdict> {
    const checkIn = message.checkInId ? await this.db.getRepository(CheckIn).findOneBy({ id: message.checkInId }) : null;
    if (!checkIn || checkIn.status !== 'sent' || checkIn.expiresAt <= this.clock.now()) return { cancel: `check-in is ${checkIn?.status ?? 'gone'}` };
    return this.patientMessageStillWanted(message);
  }

  /** Any queued message to a patient: only on a channel they still accept, and inside the send window. */
  private async patientMessageStillWanted(message: Message): Promise<DeliveryVerdict> {
    const now = this.clock.now();
    if (!message.patientId) return { send: true };
    const patient = await this.patients.findById(message.patientId);
    if (!canReach(patient, message.channel)) return { cancel: `patient cannot be reached by ${message.channel} any more` };
    const clinic = await this.clinics.get(message.clinicId);
    if (!this.messaging.liveChannels(clinic.smsFrom).includes(message.channel)) return { cancel: `the ${message.channel} channel is off` };
    const zone = timeZoneOf(patient, clinic);
    const at = nextSendTime(now, zone, sendWindowOf(clinic));
    return at > now ? { notBefore: at } : { send: true, validitySeconds: secondsUntilWindowCloses(now, zone, sendWindowOf(clinic)) };
  }

  onApplicationBootstrap(): void {
    this.pass.schedule(this.scheduler, this.config.dispatchIntervalMs, () => this.tick());
  }

  /** Before the HTTP server and the pool close: stop claiming, let sends under way finish, release the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.drain(this.config.shutdownGraceMs);
  }

  async onApplicationShutdown(): Promise<void> {
    // Bounded: a send still under way after the grace period is not waited for (it was released).
    await this.drain(this.config.shutdownGraceMs);
  }

  /**
   * Shutdown: no more claims; claimed check-ins whose send has not started go straight back to
   * `scheduled`; sends under way get until `graceMs` to finish and record their outcome; any
   * check-in this instance still holds after that goes back to `scheduled` (audited), so it is
   * sent by the next instance rather than after the lease lapses. Queued messages likewise
   * (MessagingService.drain). Once only; later calls share the first.
   */
  private ticked = false;

  drain(graceMs: number): Promise<void> {
    if (!this.drained) {
      this.draining = true;
      const until = Date.now() + graceMs;
      this.drained = (async () => {
        this.pass.unschedule(this.scheduler);
        await Promise.all([this.pass.settle(until), this.messaging.drain(until)]);
        const released = await this.releaseHeld();
        if (released) this.logger.warn(`Shutdown: ${released} check-in(s) still sending after ${graceMs} ms put back to scheduled`);
      })();
    }
    return this.drained;
  }

  /** Every check-in this instance holds goes back to the queue now (shutdown). */
  private async releaseHeld(): Promise<number> {
    // An instance that never ticked holds nothing (and a read-only CLI login may not write).
    if (!this.ticked) return 0;
    return this.db.transaction(async (m) => {
      const rows = await queryRows<{ id: string; clinic_id: string }>(
        m,
        `UPDATE check_ins SET status = 'scheduled', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = $2
          WHERE status = 'sending' AND lease_owner = $1 RETURNING id, clinic_id`,
        [this.owner, this.clock.now()],
      );
      for (const r of rows) {
        await this.audit.record(m, { clinicId: r.clinic_id, actor: SYSTEM, action: 'check_in.released_at_shutdown', entityType: 'check_in', entityId: r.id, data: { leaseOwner: this.owner, sendUnderWay: true } });
      }
      return rows.length;
    });
  }

  /** One pass; overlapping calls in one process share the pass under way. */
  tick(batchSize = 50): Promise<TickReport> {
    return this.pass.run(() => this.metrics.timeTick(() => this.runTick(batchSize)));
  }

  private async runTick(batchSize: number): Promise<TickReport> {
    this.ticked = true;
    const report: TickReport = { released: 0, expired: 0, claimed: 0, sent: 0, retried: 0, deferred: 0, failed: 0, skipped: 0, errors: 0, reminders: 0, messages: 0 };
    report.released = await this.releaseLapsedLeases();
    report.expired = await this.expireOverdue();
    // Providers answer in hundreds of milliseconds: send several at once, and claim only what
    // is about to be sent so that leases are not held by rows waiting their turn.
    const round = Math.max(1, Math.min(batchSize, this.config.dispatchConcurrency * 2));
    while (!this.draining) {
      const claimed = await this.claimDue(round);
      report.claimed += claimed.length;
      const results = await mapWithConcurrency(claimed, this.config.dispatchConcurrency, (c) => this.dispatch(c));
      for (const result of results) report[result]++;
      if (claimed.length < round) break;
    }
    if (this.draining) return report;
    report.reminders = await this.queueReminders(batchSize);
    report.messages = await this.messaging.deliverDue(batchSize);
    return report;
  }

  /** A check-in whose sender died mid-send goes back to the queue: at-least-once, never lost. */
  async releaseLapsedLeases(): Promise<number> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<{ id: string; clinic_id: string; lease_owner: string }>(
        m,
        `WITH lapsed AS (
           SELECT id, lease_owner FROM check_ins WHERE status = 'sending' AND lease_expires_at < clock_timestamp() FOR UPDATE SKIP LOCKED)
         UPDATE check_ins c SET status = 'scheduled', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = $1
           FROM lapsed WHERE c.id = lapsed.id RETURNING c.id, c.clinic_id, lapsed.lease_owner`,
        [this.clock.now()],
      );
      for (const r of rows) {
        await this.audit.record(m, { clinicId: r.clinic_id, actor: SYSTEM, action: 'check_in.lease_lapsed', entityType: 'check_in', entityId: r.id, data: { leaseOwner: r.lease_owner } });
      }
      return rows.length;
    });
  }

  async expireOverdue(limit = 500): Promise<number> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<{ id: string; clinic_id: string; patient_id: string; treatment_id: string; step: number; prior: string }>(
        m,
        `WITH overdue AS (
           SELECT id, status FROM check_ins WHERE status IN ('scheduled', 'sent') AND expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE check_ins c SET status = 'expired' FROM overdue WHERE c.id = overdue.id
         RETURNING c.id, c.clinic_id, c.patient_id, c.treatment_id, c.step, overdue.status AS prior`,
        [this.clock.now(), limit],
      );
      for (const r of rows) {
        await this.audit.record(m, {
          clinicId: r.clinic_id,
          actor: SYSTEM,
          action: 'check_in.expired',
          entityType: 'check_in',
          entityId: r.id,
          data: { treatmentId: r.treatment_id, step: r.step, reason: r.prior === 'sent' ? 'no answer in time' : 'not sent in time' },
        });
        if (r.prior === 'sent') await this.checkLostToFollowUp(m, r);
      }
      return rows.length;
    });
  }

  /**
   * The patient's check-in before this one also went out and expired unanswered: two in a row.
   * "Before" is by due time across the patient's course (merged, re-pointed and extra check-ins
   * make step numbers of one treatment a poor guide); superseded and cancelled ones never asked.
   */
  private async checkLostToFollowUp(m: EntityManager, r: { id: string; clinic_id: string; patient_id: string; treatment_id: string; step: number }): Promise<void> {
    const [previous] = await m.query(
      `SELECT p.id, p.step, p.status, p.sent_at FROM check_ins p, check_ins c
        WHERE c.id = $1 AND p.patient_id = c.patient_id AND p.id <> c.id AND p.due_at < c.due_at
          AND p.status NOT IN ('superseded', 'cancelled')
        ORDER BY p.due_at DESC LIMIT 1`,
      [r.id],
    );
    if (!previous || previous.status !== 'expired' || !previous.sent_at) return;
    await this.flags.raiseLostToFollowUp(m, { clinicId: r.clinic_id, patientId: r.patient_id, treatmentId: r.treatment_id, checkInIds: [previous.id, r.id], steps: [previous.step, r.step] });
  }

  async claimDue(limit: number): Promise<CheckIn[]> {
    const now = this.clock.now();
    const ids = await queryRows<{ id: string }>(
      this.db,
      `UPDATE check_ins SET status = 'sending', lease_owner = $2, lease_expires_at = clock_timestamp() + $3::int * interval '1 millisecond', attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM check_ins
           WHERE status = 'scheduled' AND next_attempt_at <= $1 AND expires_at > $1
           ORDER BY next_attempt_at LIMIT $4
           FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [now, this.owner, this.leaseMs, limit],
    );
    if (!ids.length) return [];
    return this.db.getRepository(CheckIn).find({ where: { id: In(ids.map((r) => r.id)) }, order: { nextAttemptAt: 'ASC' } });
  }

  /** One check-in; an error is counted and logged, never allowed to stop the rest of the batch. */
  async dispatch(checkIn: CheckIn): Promise<DispatchResult> {
    try {
      if (this.draining) {
        // Shutting down before its send started: back to the queue, not counted as an attempt.
        await this.release(checkIn, { status: 'scheduled', attempts: checkIn.attempts - 1 });
        return 'deferred';
      }
      return await this.dispatchOne(checkIn);
    } catch (err) {
      // The lease lapses and the check-in is tried again: at-least-once, never lost.
      this.logger.error(`Dispatching check-in ${checkIn.id} failed: ${(err as Error)?.stack ?? err}`);
      return 'errors';
    }
  }

  private async dispatchOne(checkIn: CheckIn): Promise<DispatchResult> {
    const patient = await this.patients.findById(checkIn.patientId);
    const clinic = await this.clinics.get(checkIn.clinicId);
    const now = this.clock.now();
    const zone = timeZoneOf(patient, clinic);
    const window = sendWindowOf(clinic);
    const allowedAt = nextSendTime(now, zone, window);
    if (allowedAt > now) {
      // Claimed late (e.g. after downtime) at night: wait for the window, not counted as an attempt.
      await this.release(checkIn, { status: 'scheduled', nextAttemptAt: allowedAt, attempts: checkIn.attempts - 1 });
      return 'deferred';
    }
    const live = this.messaging.liveChannels(clinic.smsFrom);
    const channel = chooseChannel(patient, checkIn.channel, live);
    // SMS would have been the patient's channel, but the clinic has nothing to send it as.
    const noSmsSender = chooseChannel(patient, checkIn.channel) === 'sms' && channel !== 'sms' && this.messaging.smsSenderMissing(clinic.smsFrom);
    if (!channel && chooseChannel(patient, checkIn.channel)) {
      // The patient can be reached, but not on any channel that is live: undeliverable, not sent.
      await this.db.transaction(async (m) => {
        if (await this.release(checkIn, { status: 'failed', lastError: 'channel-off: no live channel reaches this patient' }, m)) {
          await this.audit.record(m, { clinicId: checkIn.clinicId, actor: SYSTEM, action: 'check_in.failed', entityType: 'check_in', entityId: checkIn.id, data: { reason: noSmsSender ? 'clinic has no SMS sender' : 'no live channel', errorCode: 'channel-off' } });
          if (noSmsSender) await this.noticeSmsSenderMissing(m, clinic, live);
        }
      });
      return 'failed';
    }
    if (!channel) {
      await this.db.transaction(async (m) => {
        if (await this.release(checkIn, { status: 'cancelled', lastError: 'no consented channel' }, m)) {
          await this.audit.record(m, { clinicId: checkIn.clinicId, actor: SYSTEM, action: 'check_in.cancelled', entityType: 'check_in', entityId: checkIn.id, data: { reason: 'patient has no consented channel left' } });
        }
      });
      return 'failed';
    }
    const message = await this.db.transaction(async (m) => {
      // Renewed just before sending, so the lease covers the send (transport timeouts are far
      // shorter than the lease); a lease already lost means another instance has it.
      if (!(await this.renewLease(m, checkIn))) return null;
      if (noSmsSender) await this.noticeSmsSenderMissing(m, clinic, live);
      const { link } = await this.checkIns.issueToken(m, checkIn.id);
      return this.messaging.prepare(m, this.checkInMessage(checkIn, patient, clinic, channel, link, false), { status: 'sending' });
    });
    if (!message) return 'skipped';
    const outcome = await this.messaging.transmit(message, { validitySeconds: secondsUntilWindowCloses(this.clock.now(), zone, window) });
    const at = this.clock.now();
    return this.db.transaction(async (m) => {
      await this.messaging.recordOutcome(m, message, outcome, null);
      const audit = (action: string, data: Record<string, unknown>) =>
        this.audit.record(m, { clinicId: checkIn.clinicId, actor: SYSTEM, action, entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel, attempt: checkIn.attempts, ...data } });
      const settle = async (changes: Partial<CheckIn>, action: string, data: Record<string, unknown> = {}): Promise<boolean> => {
        if (await this.release(checkIn, changes, m)) {
          await audit(action, data);
          this.metrics.checkInSettled(action, channel, outcome.ok ? null : classifyFailure(outcome.error.code, outcome.error.transient));
          return true;
        }
        // Cancelled, answered or taken over meanwhile: record what really happened, change nothing.
        const [row] = await m.query(`SELECT status FROM check_ins WHERE id = $1`, [checkIn.id]);
        this.logger.warn(`Check-in ${checkIn.id} was ${row?.status} when its send finished; left as it is`);
        await audit('check_in.send_outcome_after_lease_lost', { outcome: outcome.ok ? 'sent' : 'failed', status: row?.status ?? null });
        return false;
      };
      if (outcome.ok) {
        const remindAt = this.reminderAfterSend(checkIn, at, zone, window);
        return (await settle({ status: 'sent', sentAt: at, channel, lastError: null, remindAt }, 'check_in.sent')) ? 'sent' : 'skipped';
      }
      const error = outcome.error;
      const errorData = { errorCode: error.code, permanent: !error.transient };
      if (classifyFailure(error.code, error.transient) === 'transient' && checkIn.attempts < MAX_SEND_ATTEMPTS) {
        const retryAt = nextSendTime(new Date(at.getTime() + backoffDelayMs(checkIn.attempts)), zone, window);
        const ok = await settle({ status: 'scheduled', nextAttemptAt: retryAt, lastError: lastErrorOf(error) }, 'check_in.retry_scheduled', { ...errorData, retryAt: retryAt.toISOString() });
        return ok ? 'retried' : 'skipped';
      }
      // Failed for good on this channel: once, the other consented channel gets its turn.
      const other: Channel = channel === 'sms' ? 'email' : 'sms';
      if (!checkIn.fallbackFrom && chooseChannel(patient, other, live) === other) {
        const ok = await settle(
          { status: 'scheduled', channel: other, fallbackFrom: channel, attempts: 0, nextAttemptAt: nextSendTime(at, zone, window), lastError: lastErrorOf(error) },
          'check_in.fallback',
          { ...errorData, to: other },
        );
        return ok ? 'retried' : 'skipped';
      }
      return (await settle({ status: 'failed', lastError: lastErrorOf(error) }, 'check_in.failed', errorData)) ? 'failed' : 'skipped';
    });
  }

  /** The reminder follows the real send time (a check-in sent late is not reminded an hour later). */
  private reminderAfterSend(checkIn: CheckIn, sentAt: Date, zone: string, window: SendWindow): Date | null {
    if (!checkIn.remindAt) return null;
    const delay = checkIn.remindAt.getTime() - checkIn.dueAt.getTime();
    const at = nextSendTime(new Date(sentAt.getTime() + delay), zone, window);
    return at < checkIn.expiresAt ? at : null;
  }

  private async renewLease(m: EntityManager, checkIn: CheckIn): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      m,
      `UPDATE check_ins SET lease_expires_at = clock_timestamp() + $3::int * interval '1 millisecond' WHERE id = $1 AND status = 'sending' AND lease_owner = $2 RETURNING id`,
      [checkIn.id, this.owner, this.leaseMs],
    );
    return rows.length > 0;
  }

  /** Ends this instance's lease with a new state; false when the lease was lost to another instance. */
  private async release(checkIn: CheckIn, changes: Partial<CheckIn>, m: EntityManager = this.db.manager): Promise<boolean> {
    const result = await m
      .createQueryBuilder()
      .update(CheckIn)
      .set({ ...changes, leaseOwner: null, leaseExpiresAt: null })
      .where(`id = :id AND status = 'sending' AND lease_owner = :owner`, { id: checkIn.id, owner: this.owner })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** One reminder per check-in, queued in the same transaction that marks it, with a fresh link. */
  async queueReminders(limit: number): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const due = await m
        .getRepository(CheckIn)
        .createQueryBuilder('c')
        .where(`c.status = 'sent' AND c.reminder_sent_at IS NULL AND c.remind_at <= :now AND c.expires_at > :now`, { now })
        .orderBy('c.remind_at')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const checkIn of due) {
        const patient = await this.patients.findById(checkIn.patientId, m);
        const clinic = await this.clinics.get(checkIn.clinicId, m);
        const channel = chooseChannel(patient, checkIn.channel, this.messaging.liveChannels(clinic.smsFrom));
        await m.update(CheckIn, { id: checkIn.id }, { reminderSentAt: now });
        if (!channel) continue;
        const { link } = await this.checkIns.issueToken(m, checkIn.id);
        const notBefore = nextSendTime(now, timeZoneOf(patient, clinic), sendWindowOf(clinic));
        const message = await this.messaging.enqueue(m, this.checkInMessage(checkIn, patient, clinic, channel, link, true), notBefore);
        await this.audit.record(m, { clinicId: checkIn.clinicId, actor: SYSTEM, action: 'check_in.reminder_queued', entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel } });
      }
      return due.length;
    });
  }

  private checkInMessage(checkIn: CheckIn, patient: Patient, clinic: Clinic, channel: Channel, link: string, reminder: boolean): MessageDraft {
    const t = { clinicName: clinic.name, givenName: patient.givenName, link, dayOffset: checkIn.dayOffset };
    const base = { clinicId: clinic.id, patientId: patient.id, checkInId: checkIn.id, purpose: reminder ? ('reminder' as const) : ('check_in' as const) };
    if (channel === 'sms') {
      return { ...base, channel, to: patient.phone!, from: clinic.smsFrom, text: checkInSms(patient.locale, { ...t, clinicName: smsClinicName(clinic) }, reminder) };
    }
    const email = checkInEmail(patient.locale, t, reminder);
    return { ...base, channel, to: patient.email!, from: emailSenderOf(clinic, this.config.emailFrom), subject: email.subject, text: email.text, html: email.html, headers: unsubscribeHeaders(patient.id, this.config.publicBaseUrl, this.config.jwtSecret) };
  }
}

/** What check_ins.last_error keeps: the provider-free code and the adapter's masked summary. */
function lastErrorOf(error: DeliveryError): string {
  return `${error.code ?? 'error'}: ${error.message}`.slice(0, 500);
}
