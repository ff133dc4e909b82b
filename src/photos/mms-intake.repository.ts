import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LeaseQueue } from '../database/lease-queue';
import { queryRows } from '../database/query-rows';
import { MmsMediaFetch } from './mms-media-fetch.entity';

/** On the database's clock: a fetch (at most 20 s) and its storing fit well inside it. */
const LEASE_MS = 2 * 60_000;

/** Every query on `mms_media_fetches`: the MMS media waiting to be fetched into the photo store. */
@Injectable()
export class MmsIntakeRepository {
  /** Waiting media due now, and ones whose fetcher's lease lapsed (it died mid-fetch): a retry. */
  readonly queue: LeaseQueue<MmsMediaFetch>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.queue = new LeaseQueue<MmsMediaFetch>({
      entity: MmsMediaFetch,
      table: 'mms_media_fetches',
      waitingStatus: 'waiting',
      ready: `status = 'waiting' AND next_attempt_at <= $1`,
      retakeLapsed: true,
      order: 'next_attempt_at',
      holder: { kind: 'attempt' },
      touched: 'updated_at',
      leaseMs: () => Math.min(LEASE_MS, config.dispatchLeaseMs ?? LEASE_MS),
    });
  }

  /** One row per medium in one statement, in the transaction that stores their text; the ids queued. */
  async insert(
    tx: EntityManager,
    owner: { clinicId: string; patientId: string; messageId: string; responseId: string | null },
    media: Array<{ position: number; url: string; contentType: string | null }>,
    now: Date,
  ): Promise<string[]> {
    if (!media.length) return [];
    const rows = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO mms_media_fetches (clinic_id, patient_id, message_id, response_id, position, url, content_type, status, attempts, next_attempt_at, created_at, updated_at)
       SELECT $1, $2, $3, $4, m.position, m.url, m.content_type, 'waiting', 0, $5, $5, $5
         FROM unnest($6::smallint[], $7::text[], $8::text[]) AS m(position, url, content_type)
       RETURNING id`,
      [owner.clinicId, owner.patientId, owner.messageId, owner.responseId, now, media.map((m) => m.position), media.map((m) => m.url), media.map((m) => m.contentType)],
    );
    return rows.map((r) => r.id);
  }

  /** Claimed media with what storing them needs (the lease's holder is the attempt number). */
  claim(db: EntityManager, now: Date, limit: number): Promise<MmsMediaFetch[]> {
    return this.queue.claimRows<MmsMediaFetch>(
      db,
      now,
      limit,
      (c) =>
        `${c}.id, ${c}.clinic_id AS "clinicId", ${c}.patient_id AS "patientId", ${c}.message_id AS "messageId", ${c}.response_id AS "responseId",
         ${c}.position, ${c}.url, ${c}.content_type AS "contentType", ${c}.status, ${c}.attempts, ${c}.next_attempt_at AS "nextAttemptAt"`,
    );
  }

  /** Erasure: the patient's media not yet fetched are never fetched. */
  async deleteForPatient(tx: EntityManager, clinicId: string, patientId: string): Promise<void> {
    await tx.query(`DELETE FROM mms_media_fetches WHERE clinic_id = $1 AND patient_id = $2`, [clinicId, patientId]);
  }
}
