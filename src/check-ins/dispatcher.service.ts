import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Clinic } from '../clinics/clinic.entity';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { Limiter } from '../common/concurrency';
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

/** Rounds claimed and not yet settled, per instance: the next round is claimed while one is being sent. */
const ROUNDS_IN_FLIGHT = 2;

/** A round is never smaller than this (when the tick's batch allows): its fixed costs, two transactions, are shared by enough sends. */
export const ROUND_FLOOR = 32;

/**
 * How many check-ins one round claims: enough to keep each of the `concurrency` send slots busy
 * for several turns (8 sends each), at least ROUND_FLOOR, never more than the tick's `batchSize`.
 * A round's leases (5 minutes) outlast its sends by far even at a provider's hundreds of ms each.
 */
export function roundSize(batchSize: number, concurrency: number): number {
  return Math.max(1, Math.min(batchSize, Math.max(ROUND_FLOOR, concurrency * 8)));
}

/** A claimed round whose sends are prepared: its check-ins in claim order, what is to be sent, and the results so far. */
interface Round {
  claimed: CheckIn[];
  prepared: Prepared[];
  results: Map<string, DispatchResult>;
}

/** A claimed check-in with what its send needs, and what is to be done with it. */
interface Plan {
  checkIn: CheckIn;
  patient: Patient;
  clinic: Clinic;
  zone: string;
  window: SendWindow;
  live: Channel[];
  /** SMS would have been the patient's channel, but the clinic has nothing to send it as. */
  noSmsSender: boolean;
  action: { kind: 'defer'; until: Date } | { kind: 'channel-off' } | { kind: 'no-consent' } | { kind: 'send'; channel: Channel };
}

/** A check-in whose message is written ('sending') and about to go. */
type Prepared = Plan & { channel: Channel; message: Message };

/** A check-in whose send was made: its outcome, and when. */
type Sent = Prepared & { outcome: SendOutcome; at: Date };

/**
 * How a send's outcome settles its check-in (the one decision, decideCheckInFailure, for a
 * failure): the check-in's new state, its audit action and data, and what the tick counts.
 */
function settlementOf(sent: Sent): { changes: QueryDeepPartialEntity<CheckIn>; action: string; data: Record<string, unknown>; result: DispatchResult } {
  const { checkIn, channel, zone, window, outcome, at } = sent;
  if (outcome.ok) {
    const remindAt = reminderAfterSend(checkIn, at, zone, window);
    return { changes: { status: 'sent', sentAt: at, channel, lastError: null, remindAt }, action: 'check_in.sent', data: {}, result: 'sent' };
  }
  const error = outcome.error;
  const errorData = { errorCode: error.code, permanent: !error.transient };
  const { decision, other } = decideCheckInFailure({ checkIn, patient: sent.patient, channel, kind: error.kind, live: sent.live });
  if (decision.action === 'retry') {
    const retryAt = nextSendTime(new Date(at.getTime() + decision.delayMs), zone, window);
    return {
      changes: { status: 'scheduled', nextAttemptAt: retryAt, lastError: lastErrorOf(error) },
      action: 'check_in.retry_scheduled',
      data: { ...errorData, retryAt: retryAt.toISOString() },
      result: 'retried',
    };
  }
  if (decision.action === 'fallback') {
    // Failed for good on this channel: once, the other consented channel gets its turn.
    return {
      changes: { status: 'scheduled', channel: other, fallbackFrom: channel, attempts: 0, nextAttemptAt: nextSendTime(at, zone, window), lastError: lastErrorOf(error) },
      action: 'check_in.fallback',
      data: { ...errorData, to: other },
      result: 'retried',
    };
  }
  return { changes: { status: 'failed', lastError: lastErrorOf(error) }, action: 'check_in.failed', data: errorData, result: 'failed' };
}

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
  /** The sends under way, across the rounds in flight: at most DISPATCH_CONCURRENCY at once. */
  private readonly sends: Limiter;
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
  ) {
    this.sends = new Limiter(config.dispatchConcurrency);
  }

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
    // is about to be sent so that leases are not held by rows waiting their turn. Claiming goes
    // on while a round's sends are under way: at most ROUNDS_IN_FLIGHT rounds at once, their
    // sends sharing the DISPATCH_CONCURRENCY slots. A round is claimed and prepared in one
    // transaction, and settled in one.
    const round = roundSize(batchSize, this.config.dispatchConcurrency);
    const inFlight = new Set<Promise<void>>();
    while (!this.draining) {
      if (inFlight.size >= ROUNDS_IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      const claimedRound = await this.claimRound(round);
      const claimed = claimedRound.claimed;
      report.claimed += claimed.length;
      if (claimed.length) {
        const done: Promise<void> = this.finishRound(claimedRound)
          .then((results) => {
            for (const result of results) report[result]++;
          })
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
      }
      if (claimed.length < round) break;
    }
    await Promise.all(inFlight);
    if (this.draining) return report;
    report.reminders = await this.checkInMessages.queueReminders(batchSize);
    report.messages = await this.messageQueue.deliverDue(batchSize);
    return report;
  }

  claimDue(limit: number): Promise<CheckIn[]> {
    return this.queue.claimDue(limit);
  }

  /** One check-in (a round of one); an error is counted and logged. */
  async dispatch(checkIn: CheckIn): Promise<DispatchResult> {
    const [result] = await this.dispatchRound([checkIn]);
    return result;
  }

  /**
   * A claimed round, its I/O batched: the patients and clinics read in one query each, the
   * round prepared in one transaction (leases renewed, links and 'sending' messages written,
   * check-ins outside the window given back, unreachable ones settled), the sends made with the
   * configured concurrency, and their outcomes settled in one transaction. Never throws: a stage
   * that fails for the round is done again check-in by check-in (nothing was sent in it), so an
   * error is only its own check-in's, counted and logged; its lease lapses and it is tried again.
   */
  async dispatchRound(claimed: CheckIn[]): Promise<DispatchResult[]> {
    const results = new Map<string, DispatchResult>();
    try {
      if (this.draining) {
        // Shutting down before their sends started: back to the queue, not counted as attempts.
        await this.queue.giveBackMany(claimed.map((checkIn) => ({ checkIn, notBefore: null })));
        return claimed.map(() => 'deferred');
      }
      const plans = await this.plan(claimed, results);
      const prepared = await this.inStages(plans, results, 'Preparing', (tx, some) => this.prepare(tx, some, results));
      return await this.finishRound({ claimed, prepared, results });
    } catch (err) {
      this.logger.error(`Dispatching a round of ${claimed.length} check-in(s) failed: ${(err as Error)?.stack ?? String(err)}`);
      return claimed.map((c) => results.get(c.id) ?? 'errors');
    }
  }

  /**
   * The tick's round: up to `limit` due check-ins claimed, read (patients, clinics) and prepared
   * in one transaction, so the claim, the links and the 'sending' messages commit together (a
   * rollback leaves the check-ins due, unclaimed). When that transaction fails, the round is
   * claimed on its own and prepared stage by stage (dispatchRound's way), so one bad check-in
   * cannot hold up the others.
   */
  private async claimRound(limit: number): Promise<Round> {
    const results = new Map<string, DispatchResult>();
    try {
      const { claimed, prepared } = await this.db.transaction(async (tx) => {
        const claimed = await this.queue.claimDue(limit, tx);
        // Claimed in this very transaction: the leases are held, no renewal needed.
        const prepared = await this.prepare(tx, await this.plan(claimed, results, tx), results, true);
        return { claimed, prepared };
      });
      return { claimed, prepared, results };
    } catch (err) {
      this.logger.warn(`Claiming and preparing a round in one transaction failed, claiming it stage by stage: ${(err as Error)?.message ?? String(err)}`);
      results.clear();
      const claimed = await this.claimDue(limit);
      const plans = await this.plan(claimed, results);
      const prepared = await this.inStages(plans, results, 'Preparing', (tx, some) => this.prepare(tx, some, results));
      return { claimed, prepared, results };
    }
  }

  /**
   * A prepared round's sends (transmit) and their outcomes settled in one transaction; each
   * check-in's result, in claim order. Never throws: a settlement that fails for the round is
   * done again check-in by check-in, so an error is only its own check-in's, counted and logged.
   */
  private async finishRound({ claimed, prepared, results }: Round): Promise<DispatchResult[]> {
    try {
      const sent = await this.transmit(prepared, results);
      const settled = await this.inStages(sent, results, 'Recording the send of', (tx, some) => this.settleSends(tx, some, results));
      for (const x of settled) this.metrics.checkInSettled(x.action, x.channel, x.kind);
    } catch (err) {
      this.logger.error(`Dispatching a round of ${claimed.length} check-in(s) failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    return claimed.map((c) => results.get(c.id) ?? 'errors');
  }

  /**
   * `work` for all `items` in one transaction; if that fails, for each item alone, so that one
   * item's failure is only its own ('errors', logged). What `work` returns, over the transactions that committed.
   */
  private async inStages<T extends { checkIn: CheckIn }, R>(
    items: T[],
    results: Map<string, DispatchResult>,
    what: string,
    work: (tx: EntityManager, items: T[]) => Promise<R[]>,
  ): Promise<R[]> {
    if (!items.length) return [];
    const attempt = async (some: T[]): Promise<R[] | null> => {
      const before = new Map(some.map((i) => [i.checkIn.id, results.get(i.checkIn.id)]));
      try {
        return await this.db.transaction((tx) => work(tx, some));
      } catch (err) {
        // Rolled back: what the attempt recorded as results did not happen.
        for (const [id, result] of before) {
          if (result === undefined) results.delete(id);
          else results.set(id, result);
        }
        if (some.length === 1) {
          // The lease lapses and the check-in is tried again: at-least-once, never lost.
          this.logger.error(`${what} check-in ${some[0].checkIn.id} failed: ${(err as Error)?.stack ?? String(err)}`);
          results.set(some[0].checkIn.id, 'errors');
        }
        return null;
      }
    };
    const all = await attempt(items);
    if (all) return all;
    const out: R[] = [];
    for (const item of items) out.push(...((await attempt([item])) ?? []));
    return out;
  }

  /** What each check-in of the round needs to be sent, read in one query per table; missing ones are errors. */
  private async plan(claimed: CheckIn[], results: Map<string, DispatchResult>, tx?: EntityManager): Promise<Plan[]> {
    if (!claimed.length) return [];
    const keys = claimed.map((c) => ({ clinicId: c.clinicId, id: c.patientId }));
    const clinicIds = [...new Set(claimed.map((c) => c.clinicId))];
    // In a transaction, one statement after the other on its connection; else side by side.
    const [patients, clinics] = tx
      ? [await this.patients.getMany(keys, tx), await this.clinics.getMany(clinicIds, tx)]
      : await Promise.all([this.patients.getMany(keys), this.clinics.getMany(clinicIds)]);
    const now = this.clock.now();
    // Many check-ins of a round share a time zone and a window: each is worked out once.
    const opening = new Map<string, Date>();
    const plans: Plan[] = [];
    for (const checkIn of claimed) {
      const patient = patients.get(checkIn.patientId);
      const clinic = clinics.get(checkIn.clinicId);
      if (!patient || !clinic) {
        this.logger.error(`Dispatching check-in ${checkIn.id} failed: its ${patient ? 'clinic' : 'patient'} was not found`);
        results.set(checkIn.id, 'errors');
        continue;
      }
      const zone = timeZoneOf(patient, clinic);
      const window = sendWindowOf(clinic);
      const windowKey = `${zone}|${window.start}|${window.end}`;
      let allowedAt = opening.get(windowKey);
      if (!allowedAt) opening.set(windowKey, (allowedAt = nextSendTime(now, zone, window)));
      const live = this.messaging.liveChannels(clinic.smsFrom);
      const channel = chooseChannel(patient, checkIn.channel, live);
      // SMS would have been the patient's channel, but the clinic has nothing to send it as.
      const noSmsSender = chooseChannel(patient, checkIn.channel) === 'sms' && channel !== 'sms' && this.messaging.smsSenderMissing(clinic.smsFrom);
      let action: Plan['action'];
      // Claimed late (e.g. after downtime) at night: wait for the window, not counted as an attempt.
      if (allowedAt > now) action = { kind: 'defer', until: allowedAt };
      // The patient can be reached, but not on any channel that is live: undeliverable, not sent.
      else if (!channel && chooseChannel(patient, checkIn.channel)) action = { kind: 'channel-off' };
      else if (!channel) action = { kind: 'no-consent' };
      else action = { kind: 'send', channel };
      plans.push({ checkIn, patient, clinic, zone, window, live, noSmsSender, action });
    }
    return plans;
  }

  /**
   * The round's writes before its sends, in the caller's transaction: those outside the window
   * given back, the unreachable settled (audited), and for the rest the leases renewed unless claimed in this transaction (a lease
   * already lost means another instance has it: skipped), the links issued and the messages
   * written as 'sending'. The messages to send.
   */
  private async prepare(tx: EntityManager, plans: Plan[], results: Map<string, DispatchResult>, claimedInTx = false): Promise<Prepared[]> {
    const deferred = plans.flatMap((p) => (p.action.kind === 'defer' ? [{ checkIn: p.checkIn, notBefore: p.action.until }] : []));
    await this.queue.giveBackMany(deferred, tx);
    for (const d of deferred) results.set(d.checkIn.id, 'deferred');

    const noticed = new Set<string>();
    const smsSenderMissing = async (p: Plan) => {
      if (noticed.has(p.clinic.id)) return;
      noticed.add(p.clinic.id);
      await this.notices.smsSenderMissing(tx, p.clinic, p.live);
    };
    const unreachable = plans.filter((p) => p.action.kind === 'channel-off' || p.action.kind === 'no-consent');
    const closed = await this.queue.settleMany(
      tx,
      unreachable.map((p) => ({
        checkIn: p.checkIn,
        changes: p.action.kind === 'channel-off' ? { status: 'failed' as const, lastError: 'channel-off: no live channel reaches this patient' } : { status: 'cancelled' as const, lastError: 'no consented channel' },
      })),
    );
    for (const p of unreachable) {
      results.set(p.checkIn.id, 'failed');
      if (!closed.has(p.checkIn.id)) continue;
      const event = { clinicId: p.checkIn.clinicId, actor: SYSTEM, entityType: 'check_in', entityId: p.checkIn.id };
      if (p.action.kind === 'channel-off') {
        await this.audit.record(tx, { ...event, action: 'check_in.failed', data: { reason: p.noSmsSender ? 'clinic has no SMS sender' : 'no live channel', errorCode: 'channel-off' } });
        if (p.noSmsSender) await smsSenderMissing(p);
      } else {
        await this.audit.record(tx, { ...event, action: 'check_in.cancelled', data: { reason: 'patient has no consented channel left' } });
      }
    }

    const sending = plans.filter((p): p is Plan & { action: { kind: 'send'; channel: Channel } } => p.action.kind === 'send');
    // Renewed just before sending, so the lease covers the send (transport timeouts are far
    // shorter than the lease); a lease already lost means another instance has it.
    const held = claimedInTx ? new Set(sending.map((p) => p.checkIn.id)) : await this.queue.renewMany(tx, sending.map((p) => p.checkIn));
    const toSend = sending.filter((p) => held.has(p.checkIn.id));
    for (const p of sending) if (!held.has(p.checkIn.id)) results.set(p.checkIn.id, 'skipped');
    for (const p of toSend) if (p.noSmsSender) await smsSenderMissing(p);
    const links = await this.checkIns.issueTokens(tx, toSend.map((p) => p.checkIn));
    const messages = await this.messaging.prepareMany(
      tx,
      toSend.map((p, i) => ({ draft: this.checkInMessages.draft(p.checkIn, p.patient, p.clinic, p.action.channel, links[i].link, false), state: { status: 'sending' as const } })),
    );
    return toSend.map((p, i) => ({ ...p, channel: p.action.channel, message: messages[i] }));
  }

  /**
   * The round's sends, at most DISPATCH_CONCURRENCY under way at once across the rounds in
   * flight. A send not yet started when shutdown begins does not start: its check-in goes back
   * to the queue and its message is cancelled (one transaction for the round).
   */
  private async transmit(prepared: Prepared[], results: Map<string, DispatchResult>): Promise<Sent[]> {
    // The SMS validity ends with the send window: worked out once per zone and window per second.
    const validity = new Map<string, number>();
    const validityOf = (p: Prepared, now: Date) => {
      const key = `${p.zone}|${p.window.start}|${p.window.end}|${Math.floor(now.getTime() / 1000)}`;
      let seconds = validity.get(key);
      if (seconds === undefined) validity.set(key, (seconds = secondsUntilWindowCloses(now, p.zone, p.window)));
      return seconds;
    };
    const outcomes = await Promise.all(
      prepared.map((p) =>
        this.sends.run(async () => {
          if (this.draining) return null;
          const outcome = await this.attempts.transmit(p.message, { validitySeconds: validityOf(p, this.clock.now()) });
          return { ...p, outcome, at: this.clock.now() };
        }),
      ),
    );
    const notStarted = prepared.filter((_, i) => !outcomes[i]);
    if (notStarted.length) {
      try {
        await this.db.transaction(async (tx) => {
          await this.queue.giveBackMany(notStarted.map((p) => ({ checkIn: p.checkIn, notBefore: null })), tx);
          await this.attempts.cancelUnsent(tx, notStarted.map((p) => p.message), 'shutdown before its send started');
        });
        for (const p of notStarted) results.set(p.checkIn.id, 'deferred');
      } catch (err) {
        // Still held: the shutdown's giveBackAllHeld puts them back. The sends made are settled below all the same.
        this.logger.error(`Giving back ${notStarted.length} check-in(s) not sent at shutdown failed: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
    return outcomes.filter((o): o is Sent => !!o);
  }

  /**
   * Records the sends' outcomes on their messages and settles each check-in by its outcome, in
   * the caller's transaction: one statement for the messages and one for the check-ins, then
   * their audit events (chained at commit, one append per clinic).
   */
  private async settleSends(tx: EntityManager, sent: Sent[], results: Map<string, DispatchResult>): Promise<Array<{ action: string; channel: Channel; kind: string | null }>> {
    await this.attempts.recordOutcomes(
      tx,
      sent.map((s) => ({ message: s.message, outcome: s.outcome, retryAt: null })),
    );
    const settlements = sent.map((s) => ({ sent: s, ...settlementOf(s) }));
    const settled = await this.queue.settleMany(
      tx,
      settlements.map((x) => ({ checkIn: x.sent.checkIn, changes: x.changes })),
    );
    const counted: Array<{ action: string; channel: Channel; kind: string | null }> = [];
    for (const { sent: s, action, data, result } of settlements) {
      const { checkIn, channel, message, outcome } = s;
      const audit = (a: string, d: Record<string, unknown>) =>
        this.audit.record(tx, { clinicId: checkIn.clinicId, actor: SYSTEM, action: a, entityType: 'check_in', entityId: checkIn.id, data: { messageId: message.id, channel, attempt: checkIn.attempts, ...d } });
      if (settled.has(checkIn.id)) {
        await audit(action, data);
        counted.push({ action, channel, kind: outcome.ok ? null : outcome.error.kind });
        results.set(checkIn.id, result);
        continue;
      }
      // Cancelled, answered or taken over meanwhile: record what really happened, change nothing.
      const status = await this.repo.statusOf(tx, checkIn.clinicId, checkIn.id);
      this.logger.warn(`Check-in ${checkIn.id} was ${status} when its send finished; left as it is`);
      await audit('check_in.send_outcome_after_lease_lost', { outcome: outcome.ok ? 'sent' : 'failed', status });
      results.set(checkIn.id, 'skipped');
    }
    return counted;
  }
}

/** What check_ins.last_error keeps: the provider-free code and the adapter's masked summary. */
function lastErrorOf(error: DeliveryError): string {
  return `${error.code ?? 'error'}: ${error.message}`.slice(0, 500);
}
