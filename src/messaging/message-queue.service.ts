import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clock } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeliveryAttempts } from './delivery-attempts.service';
import { decideAfterFailure, RetryPolicy } from './delivery-failure';
import { DeliveryHooks } from './delivery-hooks';
import { Message } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { errorSummary } from './redact';
import { VALIDITY_SECONDS } from './validity';

/** A queued message is tried up to 5 times, from 30 seconds apart to 30 minutes; it has no other channel to fall back to. */
const QUEUE_RETRIES: RetryPolicy = { maxAttempts: 5, baseMs: 30_000, capMs: 30 * 60_000 };

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
    private readonly audit: AuditService,
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

  /** Sends queued messages that are due; several instances may run this at once. */
  async deliverDue(limit = 50): Promise<number> {
    if (this.draining) return 0;
    const leases = await this.messages.queue.claim(this.db, this.clock.now(), limit);
    const claimed = await this.messages.byIds(leases.map((l) => l.id));
    await mapWithConcurrency(claimed, 8, (message) => this.deliverClaimed(message));
    return claimed.length;
  }

  /** For urgent messages queued in a transaction that has just committed: send without waiting for the tick. */
  async deliverNow(messageIds: string[]): Promise<void> {
    if (!messageIds.length || this.draining) return;
    const leases = await this.messages.queue.claimIds(this.db, this.clock.now(), messageIds);
    const claimed = await this.messages.byIds(leases.map((l) => l.id));
    await Promise.all(claimed.map((message) => this.deliverClaimed(message)));
  }

  private deliverClaimed(message: Message): Promise<void> {
    const done = this.deliverClaimedNow(message).finally(() => this.inFlight.delete(message.id));
    this.inFlight.set(message.id, { attempts: message.attempts, done });
    return done;
  }

  private async deliverClaimedNow(message: Message): Promise<void> {
    try {
      const lease = this.messages.leaseOf(message);
      if (this.draining) {
        // Shutting down before its send started: back to the queue, not counted as an attempt.
        await this.messages.queue.giveBack(this.db, lease, this.clock.now());
        return;
      }
      const verdict = await this.hooks.verdictFor(message);
      if ('cancel' in verdict) {
        await this.db.transaction((tx) => this.cancel(tx, message, verdict.cancel));
        return;
      }
      if ('notBefore' in verdict) {
        // Not now: back to the queue for then, not counted as an attempt.
        await this.messages.queue.giveBack(this.db, lease, this.clock.now(), verdict.notBefore);
        return;
      }
      // Renewed just before the send: a lease lost to another instance means it is theirs now.
      if (!(await this.messages.queue.renew(this.db, lease))) return;
      const outcome = await this.attempts.transmit(message, { validitySeconds: verdict.validitySeconds ?? VALIDITY_SECONDS[message.purpose] });
      let retryAt: Date | null = null;
      if (!outcome.ok) {
        const decision = decideAfterFailure(
          { kind: outcome.error.kind, attempts: message.attempts },
          { policy: QUEUE_RETRIES, sameChannelStillReaches: true, fallbackAvailable: false },
        );
        if (decision.action === 'retry') retryAt = new Date(this.clock.now().getTime() + decision.delayMs);
        this.logger.warn(`Message ${message.id} (${message.purpose}) failed: ${outcome.error.message}`);
      }
      await this.db.transaction((tx) => this.attempts.recordOutcome(tx, message, outcome, retryAt));
    } catch (err) {
      // Left in 'sending': the lease lapses and the message is tried again.
      this.logger.error(`Delivering message ${message.id} failed: ${errorSummary((err as Error)?.stack ?? String(err), 2000)}`);
    }
  }

  /** Its guard said it is no longer wanted: cancelled for good, and audited. */
  private async cancel(tx: EntityManager, message: Message, reason: string): Promise<void> {
    const now = this.clock.now();
    const cancelled = await this.messages.settleAttempt(tx, message, { status: 'cancelled', errorMessage: reason, nextAttemptAt: null, updatedAt: now });
    if (!cancelled) return;
    await this.audit.record(tx, {
      clinicId: message.clinicId,
      actor: SYSTEM,
      action: 'message.cancelled',
      entityType: 'message',
      entityId: message.id,
      data: { purpose: message.purpose, channel: message.channel, checkInId: message.checkInId, patientId: message.patientId, reason },
    });
  }
}
