import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { inOneTransactionOrEach } from '../database/lease-queue';
import { DeliveryAttempts } from './delivery-attempts.service';
import { decideAfterFailure, RetryPolicy } from './delivery-failure';
import { DeliveryHooks, DeliveryVerdict } from './delivery-hooks';
import { Message } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { errorSummary } from './redact';
import { VALIDITY_SECONDS } from './validity';

/** A queued message is tried up to 5 times, from 30 seconds apart to 30 minutes; it has no other channel to fall back to. */
const QUEUE_RETRIES: RetryPolicy = { maxAttempts: 5, baseMs: 30_000, capMs: 30 * 60_000 };

/** Sends (and guard checks) of one batch under way at once. */
const SEND_CONCURRENCY = 8;

/**
 * Decides when a queued message goes: claims due ones (2-minute leases on the one lease queue),
 * asks its purpose's guard whether it is still wanted (else cancels it) and when it may go (else
 * defers it), sends it, and retries it or gives up as decideAfterFailure says.
 */
@Injectable()
export class MessageQueue implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  /** Queued messages this process has claimed, each until its outcome is recorded. */
  private readonly inFlight = new Map<string, { attempts: number; done: Promise<void> }>();
  /** Set at shutdown: nothing more is claimed from the queue. */
  private draining = false;
  private drained: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly messages: MessagesRepository,
    private readonly attempts: DeliveryAttempts,
    private readonly hooks: DeliveryHooks,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  beforeApplicationShutdown(): Promise<void> {
    return this.drain(Date.now() + this.config.shutdownGraceMs);
  }

  /** Last, once sends have drained: pooled SMTP connections would otherwise keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await this.drain(Date.now() + this.config.shutdownGraceMs);
    await this.attempts.closeTransports();
  }

  /**
   * Shutdown: claim nothing more; claimed messages whose send has not started go back to the
   * queue; sends under way get until `untilMs` (epoch ms); any still under way then have their
   * lease ended so another instance may take them at once. Once only; later calls share it.
   */
  drain(untilMs: number): Promise<void> {
    if (!this.drained) {
      this.draining = true;
      this.drained = (async () => {
        const pending = [...this.inFlight.values()].map((x) => x.done);
        if (pending.length) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, Math.max(0, untilMs - Date.now()))))]);
          clearTimeout(timer);
        }
        const left = [...this.inFlight.entries()];
        for (const [id, { attempts }] of left) {
          await this.messages.queue
            .expireNow(this.db, { id, holder: attempts })
            .catch((err: unknown) => this.logger.error(`Releasing message ${id} at shutdown failed: ${(err as Error)?.message ?? String(err)}`));
        }
        if (left.length) this.logger.warn(`Shutdown: ${left.length} message(s) still sending released to the queue`);
      })();
    }
    return this.drained;
  }

  /**
   * Sends queued messages that are due, as one batch: claimed and read in one statement, then
   * deliverBatch. Several instances may run this at once. How many were claimed.
   */
  async deliverDue(limit = 50): Promise<number> {
    if (this.draining) return 0;
    const claimed = await this.messages.claimDue(this.clock.now(), limit);
    await this.deliverBatch(claimed);
    return claimed.length;
  }

  /** For urgent messages queued in a transaction that has just committed: send without waiting for the tick. */
  async deliverNow(messageIds: string[]): Promise<void> {
    if (!messageIds.length || this.draining) return;
    const leases = await this.messages.queue.claimIds(this.db, this.clock.now(), messageIds);
    await this.deliverBatch(await this.messages.byIds(leases.map((l) => l.id)));
  }

  /** Claimed messages, each in flight (for drain) until its batch is settled. */
  private async deliverBatch(claimed: Message[]): Promise<void> {
    if (!claimed.length) return;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    for (const m of claimed) this.inFlight.set(m.id, { attempts: m.attempts, done });
    try {
      await this.deliverClaimed(claimed);
    } catch (err) {
      // Left in 'sending': their leases lapse and they are tried again.
      this.logger.error(`Delivering ${claimed.length} message(s) failed: ${errorSummary((err as Error)?.stack ?? String(err), 2000)}`);
    } finally {
      for (const m of claimed) if (this.inFlight.get(m.id)?.done === done) this.inFlight.delete(m.id);
      finished();
    }
  }

  /**
   * A claimed batch, its writes batched: each message's guard asked (several at once); the ones
   * no longer wanted cancelled (audited), the ones not due yet given back for later, and the
   * leases of the rest renewed, in one transaction; the sends made (at most SEND_CONCURRENCY at
   * once); their outcomes written in one transaction (one statement, then the audit events,
   * chained at commit with one append per clinic, and the failure hook of each failure). A
   * transaction that fails for the batch is done again message by message, so one message's
   * error is only its own: logged, left in 'sending' until its lease lapses and it is tried again.
   */
  private async deliverClaimed(claimed: Message[]): Promise<void> {
    const now = () => this.clock.now();
    if (this.draining) {
      // Shutting down before their sends started: back to the queue, not counted as attempts.
      await this.messages.queue.giveBackMany(this.db, claimed.map((m) => ({ lease: this.messages.leaseOf(m), notBefore: null })), now());
      return;
    }
    const verdicts = await mapWithConcurrency(claimed, SEND_CONCURRENCY, async (message) => {
      try {
        return { message, verdict: await this.hooks.verdictFor(message) };
      } catch (err) {
        this.logError(message, err);
        return null;
      }
    });
    const decided = verdicts.filter((v): v is { message: Message; verdict: DeliveryVerdict } => !!v);
    const toSend = await inOneTransactionOrEach(
      this.db,
      decided,
      async (tx, some) => {
        const cancels = some.flatMap(({ message, verdict }) => ('cancel' in verdict ? [{ message, reason: verdict.cancel }] : []));
        await this.attempts.cancelMany(tx, cancels);
        // Not now: back to the queue for then, not counted as an attempt.
        const later = some.flatMap(({ message, verdict }) => ('notBefore' in verdict ? [{ lease: this.messages.leaseOf(message), notBefore: verdict.notBefore }] : []));
        await this.messages.queue.giveBackMany(tx, later, now());
        // Renewed just before the sends: a lease lost to another instance means it is theirs now.
        const sending = some.filter(({ verdict }) => 'send' in verdict);
        const held = await this.messages.queue.renewMany(tx, sending.map(({ message }) => this.messages.leaseOf(message)));
        return sending.filter(({ message }) => held.has(message.id));
      },
      (item, err) => this.logError(item.message, err),
    );
    const results = await mapWithConcurrency(toSend, SEND_CONCURRENCY, async ({ message, verdict }) => {
      if (this.draining) return { message, outcome: null };
      const validitySeconds = ('send' in verdict ? verdict.validitySeconds : undefined) ?? VALIDITY_SECONDS[message.purpose];
      return { message, outcome: await this.attempts.transmit(message, { validitySeconds }) };
    });
    const notStarted = results.filter((r) => !r.outcome).map((r) => ({ lease: this.messages.leaseOf(r.message), notBefore: null }));
    if (notStarted.length) await this.messages.queue.giveBackMany(this.db, notStarted, now());
    const outcomes = results.flatMap(({ message, outcome }) => {
      if (!outcome) return [];
      let retryAt: Date | null = null;
      if (!outcome.ok) {
        const decision = decideAfterFailure(
          { kind: outcome.error.kind, attempts: message.attempts },
          { policy: QUEUE_RETRIES, sameChannelStillReaches: true, fallbackAvailable: false },
        );
        if (decision.action === 'retry') retryAt = new Date(now().getTime() + decision.delayMs);
        this.logger.warn(`Message ${message.id} (${message.purpose}) failed: ${outcome.error.message}`);
      }
      return [{ message, outcome, retryAt }];
    });
    await inOneTransactionOrEach(
      this.db,
      outcomes,
      (tx, some) => this.attempts.recordOutcomes(tx, some),
      (item, err) => this.logError(item.message, err),
    );
  }

  private logError(message: Message, err: unknown): void {
    // Left in 'sending': the lease lapses and the message is tried again.
    this.logger.error(`Delivering message ${message.id} failed: ${errorSummary((err as Error)?.stack ?? String(err), 2000)}`);
  }
}
