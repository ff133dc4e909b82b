import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeliveryAttempts } from './delivery-attempts.service';
import { Message, MessageChannel, MessagePurpose } from './message.entity';
import { MessageQueue } from './message-queue.service';
import { MessagesRepository } from './messages.repository';

export type { SendOutcome } from './delivery-attempts.service';
export type { DeliveryGuard, DeliveryVerdict, FailureHook } from './delivery-hooks';

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

/**
 * Decides on which channels a message can go, and records every outbound message before
 * anything leaves (sent at once by its caller, or queued for the message queue); also lists a
 * patient's or the dev outbox's messages and erases a patient's. Outbound only.
 */
@Injectable()
export class MessagingService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly attempts: DeliveryAttempts,
    private readonly queue: MessageQueue,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The channels that exist for a clinic with this SMS sender: a channel with no transport does
   * not, and neither does SMS through Twilio with no sender (the clinic's or TWILIO_FROM).
   */
  liveChannels(smsFrom: string | null): MessageChannel[] {
    const live: MessageChannel[] = [];
    if (this.attempts.transportFor('sms').name !== 'off' && !this.smsSenderMissing(smsFrom)) live.push('sms');
    if (this.attempts.transportFor('email').name !== 'off') live.push('email');
    return live;
  }

  /** Twilio is configured but nothing to send as: neither the clinic's sender nor TWILIO_FROM. */
  smsSenderMissing(smsFrom: string | null): boolean {
    return this.attempts.transportFor('sms').name === 'twilio' && !smsFrom && !this.config.twilio?.from;
  }

  /** Inserts the row before anything leaves, so a crash mid-send still leaves a trace. */
  prepare(tx: EntityManager, draft: MessageDraft, state: { status: 'sending' | 'queued'; notBefore?: Date }): Promise<Message> {
    return this.messages.insert(tx, this.rowOf(draft, state));
  }

  /** `prepare` for many drafts in one INSERT (a dispatcher round); the messages in the drafts' order. */
  async prepareMany(tx: EntityManager, drafts: Array<{ draft: MessageDraft; state: { status: 'sending' | 'queued'; notBefore?: Date } }>): Promise<Message[]> {
    const rows = drafts.map(({ draft, state }) => Object.assign(new Message(), this.rowOf(draft, state)));
    await this.messages.insertMany(tx, rows);
    return rows;
  }

  private rowOf(draft: MessageDraft, state: { status: 'sending' | 'queued'; notBefore?: Date }): Message {
    const now = this.clock.now();
    return {
      id: randomUUID(),
      clinicId: draft.clinicId,
      patientId: draft.patientId ?? null,
      staffUserId: draft.staffUserId ?? null,
      checkInId: draft.checkInId ?? null,
      direction: 'out',
      channel: draft.channel,
      transport: this.attempts.transportFor(draft.channel).name,
      purpose: draft.purpose,
      toAddress: draft.to,
      fromAddress: draft.from ?? null,
      subject: draft.subject ?? null,
      body: draft.text,
      html: draft.html ?? null,
      headers: draft.headers ?? null,
      providerId: null,
      status: state.status,
      errorCode: null,
      errorMessage: null,
      attempts: state.status === 'sending' ? 1 : 0,
      nextAttemptAt: state.status === 'queued' ? (state.notBefore ?? now) : null,
      leaseExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Queues a message inside the caller's transaction; the dispatcher tick (or deliverNow) sends it. */
  enqueue(tx: EntityManager, draft: MessageDraft, notBefore?: Date): Promise<Message> {
    return this.prepare(tx, draft, { status: 'queued', notBefore });
  }

  /** For urgent messages queued in a transaction that has just committed: send without waiting for the tick. */
  deliverNow(messageIds: string[]): Promise<void> {
    return this.queue.deliverNow(messageIds);
  }

  listForPatient(clinicId: string, patientId: string): Promise<Message[]> {
    return this.messages.listForPatient(clinicId, patientId);
  }

  /** The clinic's messages kept in the dev outbox, newest first. */
  listOutbox(clinicId: string, page: { limit: number; offset: number }): Promise<{ items: Message[]; total: number }> {
    return this.messages.listOutbox(clinicId, page);
  }

  /**
   * Erasure of a patient, in the caller's transaction: messages not yet sent are cancelled, and
   * every message of theirs loses its addresses, texts and provider error text (purpose,
   * channel, status and times stay). Theirs: filed under their id, or an inbound text from one
   * of their addresses that no record claimed. A relative sharing the phone, or a staff member
   * with the same address, keeps their own messages.
   */
  async eraseForPatient(tx: EntityManager, clinicId: string, patientId: string, addresses: string[], actor: Actor): Promise<{ cancelled: number; erased: string[] }> {
    const cancelled = await this.messages.cancelUnsentOfPatient(tx, clinicId, patientId, addresses, this.clock.now());
    for (const id of cancelled) {
      await this.audit.record(tx, { clinicId, actor, action: 'message.cancelled', entityType: 'message', entityId: id, data: { patientId, reason: 'patient erased' } });
    }
    const erased = await this.messages.eraseContentsOfPatient(tx, clinicId, patientId, addresses, this.clock.now());
    return { cancelled: cancelled.length, erased };
  }
}
