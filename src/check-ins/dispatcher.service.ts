import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { Metrics } from '../common/metrics';
import { PeriodicPass } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeliveryAttempts, SendOutcome } from '../messaging/delivery-attempts.service';
import { MessageQueue } from '../messaging/message-queue.service';
import type { Message } from '../messaging/message.entity';
import { MessagingService } from '../messaging/messaging.service';
import { DeliveryError } from '../messaging/transports';
import { Channel, chooseChannel, Patient } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { AdminNotices } from './admin-notices';
import { CheckInDispatchRepository } from './check-in-dispatch.repository';
import type { CheckIn } from './check-in.entity';
import { CheckInExpiry } from './check-in-expiry';
import { decideCheckInFailure } from './check-in-failure';
import { CheckInMessages, reminderAfterSend } from './check-in-messages';
import { CheckInQueue } from './check-in-queue';
import { sendWindowOf, timeZoneOf } from './check-in-timing';
import { CheckInsService } from './check-ins.service';
import { nextSendTime, secondsUntilWindowCloses, SendWindow } from './planner';

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
 * Decides when each due check-in is sent and how its send settles it: each tick gives back lapsed
 * leases, expires what is overdue, claims due check-ins (CheckInQueue), sends each on the
 * patient's live channel inside the send window, and settles it as sent, retried, fallen back or
 * failed (decideCheckInFailure); then queues reminders and delivers queued messages. Several
 * instances may tick against one database. Its claim, expiry and reminder passes take the due
 * check-ins of every clinic, by design (one dispatcher serves all clinics): the one exception to
 * "a query of clinic data takes the clinic id" besides the token lookup; everything after reads
 * and writes each check-in within the clinic_id it carries.
 */
@Injectable()
export class CheckInDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  private readonly pass = new PeriodicPass<TickReport>('check-in-dispatcher', this.logger);
  /** Set at shutdown: nothing more is claimed, and what was claimed but not yet sent goes back. */
  private draining = false;
  private drained: Promise<void> | null = null;
  /** An instance that never ticked holds nothing (and a read-only CLI login may not write). */
  private ticked = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: CheckInQueue,
    private readonly repo: CheckInDispatchRepository,
    private readonly checkIns: CheckInsService,
    private readonly checkInMessages: CheckInMessages,
    private readonly expiry: CheckInExpiry,
    private readonly notices: AdminNotices,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly attempts: DeliveryAttempts,
    private readonly messageQueue: MessageQueue,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** This instance's name on the leases it holds. */
  get owner(): string {
    return this.queue.owner;
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
   * (MessageQueue.drain). Once only; later calls share the first.
   */
  drain(graceMs: number): Promise<void> {
    if (!this.drained) {
      this.draining = true;
      const until = Date.now() + graceMs;
      this.drained = (async () => {
        this.pass.unschedule(this.scheduler);
        await Promise.all([this.pass.settle(until), this.messageQueue.drain(until)]);
        const released = this.ticked ? await this.queue.giveBackAllHeld() : 0;
        if (released) this.logger.warn(`Shutdown: ${released} check-in(s) still sending after ${graceMs} ms put back to scheduled`);
      })();
    }
    return this.drained;
  }

  /** One pass; overlapping calls in one process share the pass under way. */
  tick(batchSize = 50): Promise<TickReport> {
    return this.pass.run(() => this.metrics.timeTick(() => this.runTick(batchSize)));
  }

  private async runTick(batchSize: number): Promise<TickReport> {
    this.ticked = true;
    const report: TickReport = { released: 0, expired: 0, claimed: 0, sent: 0, retried: 0, deferred: 0, failed: 0, skipped: 0, errors: 0, reminders: 0, messages: 0 };
    report.released = await this.queue.giveBackLapsed();
    report.expired = await this.expiry.expireOverdue();
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
    report.reminders = await this.checkInMessages.queueReminders(batchSize);
    report.messages = await this.messageQueue.deliverDue(batchSize);
    return report;
  }

  claimDue(limit: number): Promise<CheckIn[]> {
    return this.queue.claimDue(limit);
  }

  /** One check-in; an error is counted and logged, never allowed to stop the rest of the batch. */
  async dispatch(checkIn: CheckIn): Promise<DispatchResult> {
    try {
      if (this.draining) {
        // Shutting down before its send started: back to the queue, not counted as an attempt.
        await this.queue.giveBack(checkIn);
        return 'deferred';
      }
      return await this.dispatchOne(checkIn);
    } catch (err) {
      // The lease lapses and the check-in is tried again: at-least-once, never lost.
      this.logger.error(`Dispatching check-in ${checkIn.id} failed: ${(err as Error)?.stack ?? String(err)}`);
      return 'errors';
    }
  }

  private async dispatchOne(checkIn: CheckIn): Promise<DispatchResult> {
    const patient = await this.patients.get(checkIn.clinicId, checkIn.patientId);
    const clinic = await this.clinics.get(checkIn.clinicId);
    const now = this.clock.now();
    const zone = timeZoneOf(patient, clinic);
    const window = sendWindowOf(clinic);
    const allowedAt = nextSendTime(now, zone, window);
    if (allowedAt > now) {
      // Claimed late (e.g. after downtime) at night: wait for the window, not counted as an attempt.
      await this.queue.giveBack(checkIn, allowedAt);
      return 'deferred';
    }
    const live = this.messaging.liveChannels(clinic.smsFrom);
    const channel = chooseChannel(patient, checkIn.channel, live);
    // SMS would have been the patient's channel, but the clinic has nothing to send it as.
    const noSmsSender = chooseChannel(patient, checkIn.channel) === 'sms' && channel !== 'sms' && this.messaging.smsSenderMissing(clinic.smsFrom);
    if (!channel && chooseChannel(patient, checkIn.channel)) {
      // The patient can be reached, but not on any channel that is live: undeliverable, not sent.
      await this.db.transaction(async (tx) => {
        if (await this.queue.settle(checkIn, { status: 'failed', lastError: 'channel-off: no live channel reaches this patient' }, tx)) {
          await this.audit.record(tx, { clinicId: checkIn.clinicId, actor: SYSTEM, action: 'check_in.failed', entityType: 'check_in', entityId: checkIn.id, data: { reason: noSmsSender ? 'clinic has no SMS sender' : 'no live channel', errorCode: 'channel-off' } });
          if (noSmsSender) await this.notices.smsSenderMissing(tx, clinic, live);
        }
      });
      return 'failed';
    }
    if (!channel) {
      await this.db.transaction(async (tx) => {
        if (await this.queue.settle(checkIn, { status: 'cancelled', lastError: 'no consented channel' }, tx)) {
          await this.audit.record(tx, { clinicId: checkIn.clinicId, actor: SYSTEM, action: 'check_in.cancelled', entityType: 'check_in', entityId: checkIn.id, data: { reason: 'patient has no consented channel left' } });
        }
      });
      return 'failed';
    }
    const message = await this.db.transaction(async (tx) => {
      // Renewed just before sending, so the lease covers the send (transport timeouts are far
      // shorter than the lease); a lease already lost means another instance has it.
      if (!(await this.queue.renew(tx, checkIn))) return null;
      if (noSmsSender) await this.notices.smsSenderMissing(tx, clinic, live);
      const { link } = await this.checkIns.issueToken(tx, checkIn);
      return this.messaging.prepare(tx, this.checkInMessages.draft(checkIn, patient, clinic, channel, link, false), { status: 'sending' });
    });
    if (!message) return 'skipped';
    const outcome = await this.attempts.transmit(message, { validitySeconds: secondsUntilWindowCloses(this.clock.now(), zone, window) });
    const sent = { checkIn, patient, channel, live, zone, window, message, outcome, at: this.clock.now() };
    return this.db.transaction((tx) => this.settleSend(tx, sent));
  }

  /** Records the send's outcome on its message and settles the check-in by it, in one transaction. */
  private async settleSend(
    tx: EntityManager,
    sent: { checkIn: CheckIn; patient: Patient; channel: Channel; live: Channel[]; zone: string; window: SendWindow; message: Message; outcome: SendOutcome; at: Date },
  ): Promise<DispatchResult> {
    const { checkIn, channel, zone, window, message, outcome, at } = sent;
    await this.attempts.recordOutcome(tx, message, outcome, null);
    const audit = (action: string, data: Record<string, unknown>) =>
      this.audit.record(tx, { clinicId: checkIn.clinicId, actor: SYSTEM, action, entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel, attempt: checkIn.attempts, ...data } });
    const settle = async (changes: Partial<CheckIn>, action: string, data: Record<string, unknown> = {}): Promise<boolean> => {
      if (await this.queue.settle(checkIn, changes, tx)) {
        await audit(action, data);
        this.metrics.checkInSettled(action, channel, outcome.ok ? null : outcome.error.kind);
        return true;
      }
      // Cancelled, answered or taken over meanwhile: record what really happened, change nothing.
      const status = await this.repo.statusOf(tx, checkIn.clinicId, checkIn.id);
      this.logger.warn(`Check-in ${checkIn.id} was ${status} when its send finished; left as it is`);
      await audit('check_in.send_outcome_after_lease_lost', { outcome: outcome.ok ? 'sent' : 'failed', status });
      return false;
    };
    if (outcome.ok) {
      const remindAt = reminderAfterSend(checkIn, at, zone, window);
      return (await settle({ status: 'sent', sentAt: at, channel, lastError: null, remindAt }, 'check_in.sent')) ? 'sent' : 'skipped';
    }
    const error = outcome.error;
    const errorData = { errorCode: error.code, permanent: !error.transient };
    const { decision, other } = decideCheckInFailure({ checkIn, patient: sent.patient, channel, kind: error.kind, live: sent.live });
    if (decision.action === 'retry') {
      const retryAt = nextSendTime(new Date(at.getTime() + decision.delayMs), zone, window);
      const ok = await settle({ status: 'scheduled', nextAttemptAt: retryAt, lastError: lastErrorOf(error) }, 'check_in.retry_scheduled', { ...errorData, retryAt: retryAt.toISOString() });
      return ok ? 'retried' : 'skipped';
    }
    if (decision.action === 'fallback') {
      // Failed for good on this channel: once, the other consented channel gets its turn.
      const ok = await settle(
        { status: 'scheduled', channel: other, fallbackFrom: channel, attempts: 0, nextAttemptAt: nextSendTime(at, zone, window), lastError: lastErrorOf(error) },
        'check_in.fallback',
        { ...errorData, to: other },
      );
      return ok ? 'retried' : 'skipped';
    }
    return (await settle({ status: 'failed', lastError: lastErrorOf(error) }, 'check_in.failed', errorData)) ? 'failed' : 'skipped';
  }
}

/** What check_ins.last_error keeps: the provider-free code and the adapter's masked summary. */
function lastErrorOf(error: DeliveryError): string {
  return `${error.code ?? 'error'}: ${error.message}`.slice(0, 500);
}
