import { VALIDITY_SECONDS } from './validity';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, SYSTEM } from '../common/actor';
import { backoffDelayMs } from '../common/backoff';
import { Clock } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { queryRows } from '../database/query-rows';
import { errorSummary } from './redact';
import { classifyFailure, FailureKind } from './delivery-failure';
import { Message, MessageChannel, MessagePurpose, MessageStatus } from './message.entity';
import {
  DeliveryError,
  EMAIL_TRANSPORT,
  envelopeOf,
  MessageTransport,
  SMS_TRANSPORT,
  TransportReceipt,
} from './transports';

export interface MessageDraft {
  clinicId: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  to: string;
  from?: string | null;
  subject?: string | null;
  text: string;
  html?: string | null;
  headers?: Record<string, string> | null;
  patientId?: string | null;
  staffUserId?: string | null;
  checkInId?: string | null;
}

export type SendOutcome = { ok: true; receipt: TransportReceipt } | { ok: false; error: DeliveryError };

/** A provider status only moves forward; final states are never left. */
const STATUS_RANK: Record<string, number> = {
  queued: 0,
  accepted: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  received: 3,
  cancelled: 3,
};

const QUEUE_MAX_ATTEMPTS = 5;

export type DeliveryVerdict = { send: true; validitySeconds?: number } | { cancel: string } | { notBefore: Date };
export type DeliveryGuard = (message: Message) => Promise<DeliveryVerdict>;
/** Called inside the transaction that records a failure, so its consequences land with it. */
export type FailureHook = (m: EntityManager, message: Message, failure: { kind: FailureKind; code: string | null; via: 'send' | 'callback' }) => Promise<void>;
/** On the database's clock (clock_timestamp()), not the instance's Clock: skew cannot end a lease early. */
const LEASE_MS = 2 * 60_000;

/** Outbound messages only: records each one, talks to the transports, keeps their status. */
@Injectable()
export class MessagingService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private readonly guards = new Map<MessagePurpose, DeliveryGuard>();
  private readonly failureHooks: FailureHook[] = [];
  /** Queued messages this process has claimed, each until its outcome is recorded. */
  private readonly inFlight = new Map<string, { attempts: number; done: Promise<void> }>();
  /** Set at shutdown: nothing more is claimed from the queue. */
  private draining = false;
  private drained: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(EMAIL_TRANSPORT) private readonly email: MessageTransport,
    @Inject(SMS_TRANSPORT) private readonly sms: MessageTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A queued message's lease: 2 minutes, or DISPATCH_LEASE_MS when that is shorter. */
  private get leaseMs(): number {
    return Math.min(LEASE_MS, this.config.dispatchLeaseMs ?? LEASE_MS);
  }

  /**
   * The channels that exist for a clinic with this SMS sender: a channel with no transport does
   * not, and neither does SMS through Twilio with no sender (the clinic's or TWILIO_FROM).
   */
  liveChannels(smsFrom: string | null): MessageChannel[] {
    const live: MessageChannel[] = [];
    if (this.sms.name !== 'off' && !this.smsSenderMissing(smsFrom)) live.push('sms');
    if (this.email.name !== 'off') live.push('email');
    return live;
  }

  /** Twilio is configured but nothing to send as: neither the clinic's sender nor TWILIO_FROM. */
  smsSenderMissing(smsFrom: string | null): boolean {
    return this.sms.name === 'twilio' && !smsFrom && !this.config.twilio?.from;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drain(Date.now() + this.config.shutdownGraceMs);
  }

  /** Last, once sends have drained: pooled SMTP connections would otherwise keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await this.drain(Date.now() + this.config.shutdownGraceMs);
    await Promise.all([this.email.close?.(), this.sms.close?.()]);
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
          await this.db
            .query(`UPDATE messages SET lease_expires_at = clock_timestamp() WHERE id = $1 AND status = 'sending' AND attempts = $2`, [id, attempts])
            .catch((err) => this.logger.error(`Releasing message ${id} at shutdown failed: ${err?.message ?? err}`));
        }
        if (left.length) this.logger.warn(`Shutdown: ${left.length} message(s) still sending released to the queue`);
      })();
    }
    return this.drained;
  }

  transportFor(channel: MessageChannel): MessageTransport {
    return channel === 'sms' ? this.sms : this.email;
  }

  /** Inserts the row before anything leaves, so a crash mid-send still leaves a trace. */
  async prepare(m: EntityManager, draft: MessageDraft, state: { status: 'sending' | 'queued'; notBefore?: Date }): Promise<Message> {
    const repo = m.getRepository(Message);
    const now = this.clock.now();
    return repo.save(
      repo.create({
        id: randomUUID(),
        clinicId: draft.clinicId,
        patientId: draft.patientId ?? null,
        staffUserId: draft.staffUserId ?? null,
        checkInId: draft.checkInId ?? null,
        direction: 'out',
        channel: draft.channel,
        transport: this.transportFor(draft.channel).name,
        purpose: draft.purpose,
        toAddress: draft.to,
        fromAddress: draft.from ?? null,
        subject: draft.subject ?? null,
        body: draft.text,
        html: draft.html ?? null,
        headers: draft.headers ?? null,
        status: state.status,
        attempts: state.status === 'sending' ? 1 : 0,
        nextAttemptAt: state.status === 'queued' ? (state.notBefore ?? now) : null,
        leaseExpiresAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  /** Queues a message inside the caller's transaction; the dispatcher tick (or deliverNow) sends it. */
  enqueue(m: EntityManager, draft: MessageDraft, notBefore?: Date): Promise<Message> {
    return this.prepare(m, draft, { status: 'queued', notBefore });
  }

  async transmit(message: Message, opts: { validitySeconds?: number } = {}): Promise<SendOutcome> {
    try {
      const receipt = await this.transportFor(message.channel).send({ ...envelopeOf(message), headers: message.headers ?? {}, validitySeconds: opts.validitySeconds });
      return { ok: true, receipt };
    } catch (err) {
      // Adapters hand back a masked summary; anything else thrown on the way is masked here.
      const error = err instanceof DeliveryError ? err : new DeliveryError(errorSummary((err as Error)?.message ?? String(err)), true, null);
      return { ok: false, error };
    }
  }

  /**
   * Writes the outcome of one attempt and its audit event. `retryAt` null means no further
   * attempt. Only the attempt that still holds the row writes: a status callback that got there
   * first, or another instance that took the row over, is not overwritten. False when skipped.
   */
  async recordOutcome(m: EntityManager, message: Message, outcome: SendOutcome, retryAt: Date | null): Promise<boolean> {
    const now = this.clock.now();
    const changes: Partial<Message> = outcome.ok
      ? { status: outcome.receipt.status, providerId: outcome.receipt.providerId, nextAttemptAt: null, leaseExpiresAt: null, updatedAt: now }
      : {
          status: retryAt ? 'queued' : 'failed',
          errorCode: outcome.error.code,
          errorMessage: outcome.error.message.slice(0, 500),
          nextAttemptAt: retryAt,
          leaseExpiresAt: null,
          updatedAt: now,
        };
    const result = await m
      .createQueryBuilder()
      .update(Message)
      .set(changes)
      .where(`id = :id AND status = 'sending' AND attempts = :attempts`, { id: message.id, attempts: message.attempts })
      .execute();
    if (!result.affected) {
      if (outcome.ok) {
        // The status callback may have won the race: keep its status, but the provider id is ours.
        await m.query(`UPDATE messages SET provider_id = $2 WHERE id = $1 AND provider_id IS NULL`, [message.id, outcome.receipt.providerId]);
      }
      return false;
    }
    await this.audit.record(m, {
      clinicId: message.clinicId,
      actor: SYSTEM,
      action: outcome.ok ? 'message.sent' : retryAt ? 'message.retry_scheduled' : 'message.failed',
      entityType: 'message',
      entityId: message.id,
      data: {
        purpose: message.purpose,
        channel: message.channel,
        transport: message.transport,
        checkInId: message.checkInId,
        patientId: message.patientId,
        staffUserId: message.staffUserId,
        attempt: message.attempts,
        ...(outcome.ok ? {} : { errorCode: outcome.error.code, retryAt: retryAt?.toISOString() ?? null }),
      },
    });
    if (!outcome.ok) await this.runFailureHooks(m, message, outcome.error.code, outcome.error.transient, 'send');
    return true;
  }

  /** Sends queued messages that are due; several instances may run this at once. */
  async deliverDue(limit = 50): Promise<number> {
    if (this.draining) return 0;
    const now = this.clock.now();
    const ids = await queryRows<{ id: string }>(
      this.db,
      `UPDATE messages SET status = 'sending', attempts = attempts + 1, lease_expires_at = clock_timestamp() + $2::int * interval '1 millisecond', updated_at = $1
        WHERE id IN (
          SELECT id FROM messages
           WHERE direction = 'out' AND next_attempt_at IS NOT NULL
             AND ((status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_expires_at < clock_timestamp()))
           ORDER BY next_attempt_at LIMIT $3
           FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [now, this.leaseMs, limit],
    );
    const rows = ids.length ? await this.db.getRepository(Message).findBy({ id: In(ids.map((r) => r.id)) }) : [];
    await mapWithConcurrency(rows, 8, (message) => this.deliverClaimed(message));
    return rows.length;
  }

  /** For urgent messages queued in a transaction that has just committed: send without waiting for the tick. */
  async deliverNow(messageIds: string[]): Promise<void> {
    if (!messageIds.length || this.draining) return;
    const now = this.clock.now();
    const ids = await queryRows<{ id: string }>(
      this.db,
      `UPDATE messages SET status = 'sending', attempts = attempts + 1, lease_expires_at = clock_timestamp() + $2::int * interval '1 millisecond', updated_at = $1
        WHERE id = ANY($3::uuid[]) AND status = 'queued' AND next_attempt_at <= $1
        RETURNING id`,
      [now, this.leaseMs, messageIds],
    );
    const rows = ids.length ? await this.db.getRepository(Message).findBy({ id: In(ids.map((r) => r.id)) }) : [];
    await Promise.all(rows.map((m) => this.deliverClaimed(m)));
  }

  /**
   * A queued message may wait hours (quiet hours, retries): whoever queued it says, through a
   * guard for its purpose, whether it is still wanted and when it may go.
   */
  guard(purpose: MessagePurpose, guard: DeliveryGuard): void {
    this.guards.set(purpose, guard);
  }

  /** Whoever owns the contact points learns what a failure means for them (opt-out, invalid, filtered). */
  onFailure(hook: FailureHook): void {
    this.failureHooks.push(hook);
  }

  private async runFailureHooks(m: EntityManager, message: Message, code: string | null, transient: boolean, via: 'send' | 'callback'): Promise<void> {
    const kind = classifyFailure(code, transient);
    for (const hook of this.failureHooks) await hook(m, message, { kind, code, via });
  }

  private deliverClaimed(message: Message): Promise<void> {
    const done = this.deliverClaimedNow(message).finally(() => this.inFlight.delete(message.id));
    this.inFlight.set(message.id, { attempts: message.attempts, done });
    return done;
  }

  private async deliverClaimedNow(message: Message): Promise<void> {
    try {
      if (this.draining) {
        // Shutting down before its send started: back to the queue, not counted as an attempt.
        await this.db.query(
          `UPDATE messages SET status = 'queued', attempts = attempts - 1, lease_expires_at = NULL, next_attempt_at = COALESCE(next_attempt_at, $3) WHERE id = $1 AND status = 'sending' AND attempts = $2`,
          [message.id, message.attempts, this.clock.now()],
        );
        return;
      }
      const verdict = (await this.guards.get(message.purpose)?.(message)) ?? { send: true as const };
      if ('cancel' in verdict || 'notBefore' in verdict) {
        await this.db.transaction((m) => this.hold(m, message, verdict));
        return;
      }
      // Renewed just before the send: a lease lost to another instance means it is theirs now.
      const renewed = await queryRows<{ id: string }>(
        this.db,
        `UPDATE messages SET lease_expires_at = clock_timestamp() + $3::int * interval '1 millisecond' WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING id`,
        [message.id, message.attempts, this.leaseMs],
      );
      if (!renewed.length) return;
      const outcome = await this.transmit(message, { validitySeconds: verdict.validitySeconds ?? VALIDITY_SECONDS[message.purpose] });
      const retryAt =
        !outcome.ok && classifyFailure(outcome.error.code, outcome.error.transient) === 'transient' && message.attempts < QUEUE_MAX_ATTEMPTS
          ? new Date(this.clock.now().getTime() + backoffDelayMs(message.attempts, { baseMs: 30_000, capMs: 30 * 60_000 }))
          : null;
      if (!outcome.ok) this.logger.warn(`Message ${message.id} (${message.purpose}) failed: ${outcome.error.message}`);
      await this.db.transaction((m) => this.recordOutcome(m, message, outcome, retryAt));
    } catch (err) {
      // Left in 'sending': the lease lapses and the message is tried again.
      this.logger.error(`Delivering message ${message.id} failed: ${errorSummary((err as Error)?.stack ?? String(err), 2000)}`);
    }
  }

  /** A guard said not now, or not at all. */
  private async hold(m: EntityManager, message: Message, verdict: { cancel: string } | { notBefore: Date }): Promise<void> {
    const cancel = 'cancel' in verdict;
    const result = await m
      .createQueryBuilder()
      .update(Message)
      .set(
        cancel
          ? { status: 'cancelled', errorMessage: verdict.cancel, nextAttemptAt: null, leaseExpiresAt: null, updatedAt: this.clock.now() }
          : { status: 'queued', nextAttemptAt: verdict.notBefore, attempts: message.attempts - 1, leaseExpiresAt: null, updatedAt: this.clock.now() },
      )
      .where(`id = :id AND status = 'sending' AND attempts = :attempts`, { id: message.id, attempts: message.attempts })
      .execute();
    if (cancel && result.affected) {
      await this.audit.record(m, {
        clinicId: message.clinicId,
        actor: SYSTEM,
        action: 'message.cancelled',
        entityType: 'message',
        entityId: message.id,
        data: { purpose: message.purpose, channel: message.channel, checkInId: message.checkInId, patientId: message.patientId, reason: verdict.cancel },
      });
    }
  }

  /**
   * Twilio status callbacks: idempotent, and a late or repeated status never moves a message
   * back. The callback URL carries our message id, so a callback that arrives before the send's
   * own outcome is recorded (the provider id is not stored yet) still finds its message.
   */
  async applyDeliveryStatus(providerId: string, status: string, errorCode: string | null, messageId?: string): Promise<boolean> {
    const next = normaliseStatus(status);
    if (!next) return false;
    return this.db.transaction(async (m) => {
      let [row] = await m.query(`SELECT id, clinic_id, status, provider_id FROM messages WHERE provider_id = $1 FOR UPDATE`, [providerId]);
      if (!row && messageId && /^[0-9a-f-]{36}$/i.test(messageId)) {
        [row] = await m.query(`SELECT id, clinic_id, status, provider_id FROM messages WHERE id = $1 AND provider_id IS NULL AND direction = 'out' FOR UPDATE`, [messageId]);
      }
      if (!row) return false;
      if ((STATUS_RANK[next] ?? 0) <= (STATUS_RANK[row.status] ?? 0)) return false;
      await m.update(Message, { id: row.id }, {
        status: next,
        providerId: providerId,
        errorCode: errorCode ?? undefined,
        updatedAt: this.clock.now(),
      });
      await this.audit.record(m, {
        clinicId: row.clinic_id,
        actor: { type: 'provider', id: 'twilio' },
        action: 'message.status_changed',
        entityType: 'message',
        entityId: row.id,
        data: { from: row.status, to: next, errorCode },
      });
      if ((next === 'undelivered' || next === 'failed') && errorCode) {
        const message = await m.getRepository(Message).findOneByOrFail({ id: row.id });
        await this.runFailureHooks(m, message, errorCode, classifyFailure(errorCode, false) === 'transient', 'callback');
      }
      return true;
    });
  }

  /** Stores an inbound message once per provider id; null when it was seen before. */
  async recordInbound(
    m: EntityManager,
    input: { clinicId: string; patientId: string | null; channel: MessageChannel; providerId: string; from: string; to: string; text: string },
  ): Promise<Message | null> {
    const now = this.clock.now();
    const inserted = await queryRows<{ id: string }>(
      m,
      `INSERT INTO messages (clinic_id, patient_id, direction, channel, transport, purpose, to_address, from_address, body, provider_id, status, created_at, updated_at)
       VALUES ($1, $2, 'in', $3, 'twilio', 'reply', $4, $5, $6, $7, 'received', $8, $8)
       ON CONFLICT (provider_id) DO NOTHING RETURNING id`,
      [input.clinicId, input.patientId, input.channel, input.to, input.from, input.text, input.providerId, now],
    );
    if (!inserted.length) return null;
    await this.audit.record(m, {
      clinicId: input.clinicId,
      actor: input.patientId ? { type: 'patient', id: input.patientId } : { type: 'provider', id: 'twilio' },
      action: 'message.received',
      entityType: 'message',
      entityId: inserted[0].id,
      data: { channel: input.channel, patientId: input.patientId },
    });
    return m.getRepository(Message).findOneByOrFail({ id: inserted[0].id });
  }

  /** A patient's inbound texts on a channel since a time, oldest first, read in the caller's transaction. */
  inboundTextsSince(m: EntityManager, input: { clinicId: string; patientId: string; channel: MessageChannel; since: Date; except?: string }): Promise<Message[]> {
    const qb = m
      .getRepository(Message)
      .createQueryBuilder('x')
      .where(`x.clinic_id = :clinicId AND x.patient_id = :patientId AND x.direction = 'in' AND x.channel = :channel AND x.created_at >= :since`, input)
      .orderBy('x.created_at', 'ASC');
    if (input.except) qb.andWhere('x.id <> :except', { except: input.except });
    return qb.getMany();
  }

  async wasSeen(providerId: string): Promise<boolean> {
    return this.db.getRepository(Message).existsBy({ providerId });
  }

  listForPatient(clinicId: string, patientId: string): Promise<Message[]> {
    return this.db.getRepository(Message).find({ where: { clinicId, patientId }, order: { createdAt: 'ASC' } });
  }

  /**
   * Erasure of a patient, in the caller's transaction: messages not yet sent are cancelled, and
   * every message of theirs loses its addresses, texts and provider error text (purpose,
   * channel, status and times stay). Theirs: filed under their id, or an inbound text from one
   * of their addresses that no record claimed. A relative sharing the phone, or a staff member
   * with the same address, keeps their own messages.
   */
  async eraseForPatient(m: EntityManager, clinicId: string, patientId: string, addresses: string[], actor: Actor): Promise<{ cancelled: number; erased: string[] }> {
    const match = `clinic_id = $1 AND (patient_id = $2 OR (patient_id IS NULL AND staff_user_id IS NULL AND direction = 'in' AND from_address = ANY($3::text[])))`;
    const cancelled = await queryRows<{ id: string }>(
      m,
      `UPDATE messages SET status = 'cancelled', error_message = 'patient erased', next_attempt_at = NULL, lease_expires_at = NULL, updated_at = $4
        WHERE ${match} AND status IN ('queued', 'sending') RETURNING id`,
      [clinicId, patientId, addresses, this.clock.now()],
    );
    for (const { id } of cancelled) {
      await this.audit.record(m, { clinicId, actor, action: 'message.cancelled', entityType: 'message', entityId: id, data: { patientId, reason: 'patient erased' } });
    }
    const erased = await queryRows<{ id: string }>(
      m,
      `UPDATE messages SET to_address = '[erased]', from_address = CASE WHEN direction = 'in' THEN '[erased]' ELSE from_address END,
              subject = NULL, body = '[erased]', html = NULL, error_message = CASE WHEN error_message IS NULL OR error_message = 'patient erased' THEN error_message ELSE '[erased]' END, updated_at = $4
        WHERE ${match} RETURNING id`,
      [clinicId, patientId, addresses, this.clock.now()],
    );
    return { cancelled: cancelled.length, erased: erased.map((r) => r.id) };
  }

  /** The clinic's messages kept in the dev outbox, newest first. */
  async listOutbox(clinicId: string, page: { limit: number; offset: number }): Promise<{ items: Message[]; total: number }> {
    const [items, total] = await this.db.getRepository(Message).findAndCount({
      where: { clinicId, transport: 'outbox', direction: 'out' },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }
}

function normaliseStatus(s: string): MessageStatus | null {
  const map: Record<string, MessageStatus> = {
    queued: 'queued',
    accepted: 'queued',
    scheduled: 'queued',
    sending: 'sending',
    sent: 'sent',
    delivered: 'delivered',
    read: 'delivered',
    undelivered: 'undelivered',
    failed: 'failed',
  };
  return map[s.toLowerCase()] ?? null;
}
