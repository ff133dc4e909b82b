import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Lease, LeaseQueue } from '../database/lease-queue';
import { queryRows } from '../database/query-rows';
import { Message, MessageStatus } from './message.entity';

/** On the database's clock: skew cannot end a lease early. DISPATCH_LEASE_MS shortens it (tests). */
const LEASE_MS = 2 * 60_000;

/** A patient's messages: filed under their id, or an inbound text from one of their addresses that no record claimed. */
const PATIENTS_MESSAGES = `clinic_id = $1 AND (patient_id = $2 OR (patient_id IS NULL AND staff_user_id IS NULL AND direction = 'in' AND from_address = ANY($3::text[])))`;

/** The messages columns as Message properties, from alias `m`. */
export const MESSAGE_COLUMNS = (m: string): string =>
  [
    'id',
    'clinic_id AS "clinicId"',
    'patient_id AS "patientId"',
    'staff_user_id AS "staffUserId"',
    'check_in_id AS "checkInId"',
    'direction',
    'channel',
    'transport',
    'purpose',
    'to_address AS "toAddress"',
    'from_address AS "fromAddress"',
    'subject',
    'body',
    'html',
    'headers',
    'provider_id AS "providerId"',
    'status',
    'error_code AS "errorCode"',
    'error_message AS "errorMessage"',
    'attempts',
    'next_attempt_at AS "nextAttemptAt"',
    'lease_expires_at AS "leaseExpiresAt"',
    'created_at AS "createdAt"',
    'updated_at AS "updatedAt"',
  ]
    .map((c) => `${m}.${c}`)
    .join(', ');

/** Every query of the messages table that messaging makes, with typed rows. */
@Injectable()
export class MessagesRepository {
  /** Queued outbound messages: due ones, and ones whose sender's lease lapsed, are claimed for 2 minutes. */
  readonly queue: LeaseQueue<Message>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new LeaseQueue<Message>({
      entity: Message,
      table: 'messages',
      waitingStatus: 'queued',
      scope: `direction = 'out' AND next_attempt_at IS NOT NULL`,
      ready: `status = 'queued' AND next_attempt_at <= $1`,
      retakeLapsed: true,
      order: 'next_attempt_at',
      holder: { kind: 'attempt' },
      touched: 'updated_at',
      leaseMs: () => Math.min(LEASE_MS, config.dispatchLeaseMs ?? LEASE_MS),
    });
  }

  /**
   * Up to `limit` queued messages of every clinic that are due (or whose sender's lease lapsed),
   * claimed and read in one statement, oldest first: the queue's pass serves every clinic, and
   * each row carries its clinic_id.
   */
  claimDue(now: Date, limit: number): Promise<Message[]> {
    return this.queue.claimRows<Message>(this.db, now, limit, MESSAGE_COLUMNS);
  }

  /** A message's lease, as the queue knows it: its attempt number tells this claim from a later one. */
  leaseOf(message: Message): Lease {
    return { id: message.id, holder: message.attempts };
  }

  insert(manager: EntityManager, fields: Partial<Message>): Promise<Message> {
    const repo = manager.getRepository(Message);
    return repo.save(repo.create(fields));
  }

  /** Many new messages in one statement (a dispatcher round's), every column given by the caller. */
  async insertMany(manager: EntityManager, messages: Message[]): Promise<void> {
    if (!messages.length) return;
    const col = <K extends keyof Message>(key: K): Array<Message[K]> => messages.map((m) => m[key]);
    await manager.query(
      `INSERT INTO messages (id, clinic_id, patient_id, staff_user_id, check_in_id, direction, channel, transport, purpose, to_address, from_address,
                             subject, body, html, headers, status, attempts, next_attempt_at, lease_expires_at, created_at, updated_at)
       SELECT id, clinic_id, patient_id, staff_user_id, check_in_id, direction, channel, transport, purpose, to_address, from_address,
              subject, body, html, headers::jsonb, status, attempts, next_attempt_at, lease_expires_at, created_at, updated_at
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                     $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[])
           AS m(id, clinic_id, patient_id, staff_user_id, check_in_id, direction, channel, transport, purpose, to_address, from_address,
                subject, body, html, headers, status, attempts, next_attempt_at, lease_expires_at, created_at, updated_at)`,
      [
        col('id'),
        col('clinicId'),
        col('patientId'),
        col('staffUserId'),
        col('checkInId'),
        col('direction'),
        col('channel'),
        col('transport'),
        col('purpose'),
        col('toAddress'),
        col('fromAddress'),
        col('subject'),
        col('body'),
        col('html'),
        messages.map((m) => (m.headers ? JSON.stringify(m.headers) : null)),
        col('status'),
        col('attempts'),
        col('nextAttemptAt'),
        col('leaseExpiresAt'),
        col('createdAt'),
        col('updatedAt'),
      ],
    );
  }

  /** The messages this instance just claimed, by id alone: the queue's pass serves every clinic, and its leases are its own. */
  byIds(ids: string[]): Promise<Message[]> {
    return ids.length ? this.db.getRepository(Message).findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  byId(manager: EntityManager, clinicId: string, id: string): Promise<Message> {
    return manager.getRepository(Message).findOneByOrFail({ clinicId, id });
  }

  /** Ends the attempt's lease with its outcome; false when another attempt or a status report holds the row now. */
  settleAttempt(manager: EntityManager, message: Message, changes: QueryDeepPartialEntity<Message>): Promise<boolean> {
    return this.queue.settle(manager, this.leaseOf(message), changes);
  }

  /** `settleAttempt` for a round in one statement; the ids settled (the rest are held by another attempt or a status report). */
  settleAttempts(manager: EntityManager, items: Array<{ message: Message; changes: QueryDeepPartialEntity<Message> }>): Promise<Set<string>> {
    return this.queue.settleMany(
      manager,
      items.map((i) => ({ lease: this.leaseOf(i.message), changes: i.changes })),
    );
  }

  /** A status report stored its status first: the provider id is still ours to add. */
  async addProviderId(manager: EntityManager, clinicId: string, id: string, providerId: string): Promise<void> {
    await manager.query(`UPDATE messages SET provider_id = $3 WHERE clinic_id = $1 AND id = $2 AND provider_id IS NULL`, [clinicId, id, providerId]);
  }

  /**
   * The outbound message a provider's report is about, locked: by the provider's id, or (a report
   * that beat the send's own outcome) by our id while it has no provider id yet. No clinic id: a
   * provider's (signed) callback names only the message; the row found says whose it is.
   */
  async lockForReport(manager: EntityManager, providerId: string, messageId?: string): Promise<{ id: string; clinic_id: string; status: MessageStatus } | null> {
    const [byProvider] = await queryRows<{ id: string; clinic_id: string; status: MessageStatus }>(
      manager,
      `SELECT id, clinic_id, status FROM messages WHERE provider_id = $1 FOR UPDATE`,
      [providerId],
    );
    if (byProvider || !messageId || !/^[0-9a-f-]{36}$/i.test(messageId)) return byProvider ?? null;
    const [byOurs] = await queryRows<{ id: string; clinic_id: string; status: MessageStatus }>(
      manager,
      `SELECT id, clinic_id, status FROM messages WHERE id = $1 AND provider_id IS NULL AND direction = 'out' FOR UPDATE`,
      [messageId],
    );
    return byOurs ?? null;
  }

  async update(manager: EntityManager, clinicId: string, id: string, changes: QueryDeepPartialEntity<Message>): Promise<void> {
    await manager.update(Message, { clinicId, id }, changes);
  }

  /** The patient's messages not yet sent are cancelled; their ids. */
  async cancelUnsentOfPatient(manager: EntityManager, clinicId: string, patientId: string, addresses: string[], now: Date): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE messages SET status = 'cancelled', error_message = 'patient erased', next_attempt_at = NULL, lease_expires_at = NULL, updated_at = $4
        WHERE ${PATIENTS_MESSAGES} AND status IN ('queued', 'sending') RETURNING id`,
      [clinicId, patientId, addresses, now],
    );
    return rows.map((r) => r.id);
  }

  /** Addresses, texts and provider error text of every message of the patient's are erased; their ids. */
  async eraseContentsOfPatient(manager: EntityManager, clinicId: string, patientId: string, addresses: string[], now: Date): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE messages SET to_address = '[erased]', from_address = CASE WHEN direction = 'in' THEN '[erased]' ELSE from_address END,
              subject = NULL, body = '[erased]', html = NULL, error_message = CASE WHEN error_message IS NULL OR error_message = 'patient erased' THEN error_message ELSE '[erased]' END, updated_at = $4
        WHERE ${PATIENTS_MESSAGES} RETURNING id`,
      [clinicId, patientId, addresses, now],
    );
    return rows.map((r) => r.id);
  }

  listForPatient(clinicId: string, patientId: string): Promise<Message[]> {
    return this.db.getRepository(Message).find({ where: { clinicId, patientId }, order: { createdAt: 'ASC' } });
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
