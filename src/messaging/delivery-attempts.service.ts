import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DeliveryHooks } from './delivery-hooks';
import { messageEvent } from './message-events';
import { Message, MessageChannel, MessageStatus } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { errorSummary } from './redact';
import { DeliveryError, DeliveryReport, EMAIL_TRANSPORT, envelopeOf, MessageTransport, SMS_TRANSPORT, TransportReceipt } from './transports';

export type SendOutcome = { ok: true; receipt: TransportReceipt } | { ok: false; error: DeliveryError };

/** A status only moves forward; final states are never left. */
const STATUS_RANK: Record<MessageStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  received: 3,
  cancelled: 3,
};

/**
 * Decides what each attempt at delivering a message did to it: sends it through its channel's
 * transport, records the outcome (sent, queued for a retry, failed) and, later, the provider's
 * status report, each with its audit event; a failure is told to the failure hook in the same
 * transaction.
 */
@Injectable()
export class DeliveryAttempts {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly messages: MessagesRepository,
    private readonly hooks: DeliveryHooks,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(EMAIL_TRANSPORT) private readonly email: MessageTransport,
    @Inject(SMS_TRANSPORT) private readonly sms: MessageTransport,
  ) {}

  async closeTransports(): Promise<void> {
    await Promise.all([this.email.close?.(), this.sms.close?.()]);
  }

  transportFor(channel: MessageChannel): MessageTransport {
    return channel === 'sms' ? this.sms : this.email;
  }

  async transmit(message: Message, opts: { validitySeconds?: number } = {}): Promise<SendOutcome> {
    try {
      const receipt = await this.transportFor(message.channel).send({ ...envelopeOf(message), headers: message.headers ?? {}, validitySeconds: opts.validitySeconds });
      return { ok: true, receipt };
    } catch (err) {
      // Adapters hand back a masked summary; anything else thrown on the way is masked here.
      const error = err instanceof DeliveryError ? err : new DeliveryError(errorSummary((err as Error)?.message ?? String(err)), 'transient', null);
      return { ok: false, error };
    }
  }

  /**
   * Writes the outcome of one attempt and its audit event. `retryAt` null means no further
   * attempt. Only the attempt that still holds the row writes: a status report that got there
   * first, or another instance that took the row over, is not overwritten. False when skipped.
   */
  async recordOutcome(tx: EntityManager, message: Message, outcome: SendOutcome, retryAt: Date | null): Promise<boolean> {
    const settled = await this.messages.settleAttempt(tx, message, this.outcomeChanges(outcome, retryAt));
    await this.afterOutcome(tx, { message, outcome, retryAt }, settled);
    return settled;
  }

  /**
   * `recordOutcome` for a round: the outcomes written in one statement, then, in the round's
   * order, each one's audit event and failure hook. Whether each was settled, in the same order.
   */
  async recordOutcomes(
    tx: EntityManager,
    items: Array<{ message: Message; outcome: SendOutcome; retryAt: Date | null }>,
  ): Promise<boolean[]> {
    const settled = await this.messages.settleAttempts(
      tx,
      items.map((i) => ({ message: i.message, changes: this.outcomeChanges(i.outcome, i.retryAt) })),
    );
    const results: boolean[] = [];
    for (const item of items) {
      const ok = settled.has(item.message.id);
      await this.afterOutcome(tx, item, ok);
      results.push(ok);
    }
    return results;
  }

  /**
   * Messages written as 'sending' whose send never started (shutdown came first): cancelled, each
   * audited, in the caller's transaction. The ones another attempt holds are left alone.
   */
  async cancelUnsent(tx: EntityManager, messages: Message[], reason: string): Promise<void> {
    await this.cancelMany(
      tx,
      messages.map((message) => ({ message, reason })),
    );
  }

  /**
   * Claimed messages that will not go (no longer wanted, or never started): cancelled for good in
   * one statement, each with its audit event, in the caller's transaction. The ids cancelled; one
   * another attempt or a status report holds now is left alone.
   */
  async cancelMany(tx: EntityManager, items: Array<{ message: Message; reason: string }>): Promise<Set<string>> {
    const now = this.clock.now();
    const cancelled = await this.messages.settleAttempts(
      tx,
      items.map(({ message, reason }) => ({ message, changes: { status: 'cancelled' as const, errorMessage: reason, nextAttemptAt: null, updatedAt: now } })),
    );
    for (const { message, reason } of items) {
      if (cancelled.has(message.id)) await this.audit.record(tx, messageEvent(message, 'message.cancelled', { reason }));
    }
    return cancelled;
  }

  private outcomeChanges(outcome: SendOutcome, retryAt: Date | null): QueryDeepPartialEntity<Message> {
    const now = this.clock.now();
    return outcome.ok
      ? { status: outcome.receipt.status, providerId: outcome.receipt.providerId, nextAttemptAt: null, updatedAt: now }
      : { status: retryAt ? 'queued' : 'failed', errorCode: outcome.error.code, errorMessage: outcome.error.message.slice(0, 500), nextAttemptAt: retryAt, updatedAt: now };
  }

  /** After an outcome was written (or not: `settled` false), its audit event and the failure hook. */
  private async afterOutcome(tx: EntityManager, item: { message: Message; outcome: SendOutcome; retryAt: Date | null }, settled: boolean): Promise<void> {
    const { message, outcome, retryAt } = item;
    if (!settled) {
      // The status report may have won the race: keep its status, but the provider id is ours.
      if (outcome.ok) await this.messages.addProviderId(tx, message.clinicId, message.id, outcome.receipt.providerId);
      return;
    }
    const action = outcome.ok ? 'message.sent' : retryAt ? 'message.retry_scheduled' : 'message.failed';
    await this.audit.record(
      tx,
      messageEvent(message, action, {
        transport: message.transport,
        staffUserId: message.staffUserId,
        attempt: message.attempts,
        ...(outcome.ok ? {} : { errorCode: outcome.error.code, retryAt: retryAt?.toISOString() ?? null }),
      }),
    );
    if (!outcome.ok) await this.hooks.failed(tx, message, { kind: outcome.error.kind, code: outcome.error.code, via: 'send' });
  }

  /**
   * A provider's status report, as its adapter translated it: idempotent, and a late or repeated
   * status never moves a message back. False when it changed nothing.
   */
  applyReport(report: DeliveryReport): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const row = await this.messages.lockForReport(tx, report.providerId, report.messageId);
      if (!row) return false;
      if (STATUS_RANK[report.status] <= (STATUS_RANK[row.status] ?? 0)) return false;
      await this.messages.update(tx, row.clinic_id, row.id, { status: report.status, providerId: report.providerId, errorCode: report.errorCode ?? undefined, updatedAt: this.clock.now() });
      await this.audit.record(tx, {
        clinicId: row.clinic_id,
        actor: { type: 'provider', id: report.provider },
        action: 'message.status_changed',
        entityType: 'message',
        entityId: row.id,
        data: { from: row.status, to: report.status, errorCode: report.errorCode },
      });
      if (report.failure) {
        const message = await this.messages.byId(tx, row.clinic_id, row.id);
        await this.hooks.failed(tx, message, { ...report.failure, via: 'callback' });
      }
      return true;
    });
  }
}
