import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CustomTypesConfig, PoolClient } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { AuditEvent } from './audit-event.entity';
import { checkpointOf, ChainHead, CheckpointRow, EventFilters, eventOf, EventRow, ListedCheckpoint, NewEventRow, PayloadRow, StoredCheckpoint, StoredEventRow } from './audit-rows';
import { chainIdOf, GENESIS } from './chain-hash';
import type { ChainTextRow } from './chain-hash';

/** The one lookup of a chain's head row (audit_chain_heads); the writer's lock adds FOR NO KEY UPDATE. */
const CHAIN_HEAD = `SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE chain_id = $1`;
const EVENT_COLUMNS = `seq, clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest`;
/** A verification page's columns, in ChainTextRow's order, each as text. */
const CHAIN_TEXT_COLUMNS = `seq, clinic_seq, occurred_at,
  actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest`;
/** pg's type parsing switched off: every column as the text PostgreSQL sends. */
const TEXT_ONLY = { getTypeParser: () => (text: string) => text } as unknown as CustomTypesConfig;
const CHECKPOINT_COLUMNS = `id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key`;
/** The filters of the audit log's list: each one applies only when given. */
const EVENT_FILTERS = `e.clinic_id = $1
   AND ($2::text IS NULL OR e.action = $2) AND ($3::text IS NULL OR e.entity_type = $3) AND ($4::text IS NULL OR e.entity_id = $4)
   AND ($5::text IS NULL OR e.actor_type = $5) AND ($6::text IS NULL OR e.actor_id = $6)
   AND ($7::timestamptz IS NULL OR e.occurred_at >= $7) AND ($8::timestamptz IS NULL OR e.occurred_at < $8)`;

/**
 * All of audit's SQL, with typed rows: chain heads, events, payloads and checkpoints. Every query
 * about a chain takes its clinic (the per-clinic chain never needs a cross-clinic lock); the
 * scheduled checkpoint pass alone reads across clinics, from the head table.
 */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The chain's recorded head (audit_chain_heads), or null when the chain has never been written. */
  async recordedHead(manager: EntityManager, clinicId: string | null): Promise<ChainHead | null> {
    const [head] = await queryRows<ChainHead>(manager, CHAIN_HEAD, [chainIdOf(clinicId)]);
    return head ? { seq: String(head.seq), hash: head.hash } : null;
  }

  /**
   * The clinic's chain lock: locks the chain's head row (FOR NO KEY UPDATE) until this
   * transaction ends and returns the head (seq '0' and the genesis hash for an empty chain;
   * a chain's first append inserts its row). An index lookup by primary key: the cost does not
   * depend on how many events the database holds.
   *
   * Lock order: a transaction takes its own row locks (clinic settings FOR NO KEY UPDATE,
   * patients, check-ins, flags, advisory planning locks) while it works; the chain head rows are
   * taken last, at COMMIT (AuditService.flush), in chain-id order, and after them only the
   * event inserts' foreign-key checks (FOR KEY SHARE on clinics, which FOR NO KEY UPDATE does not
   * block). Nothing waits for a business row while holding a chain head, so no cycle can form.
   * The one exception, AuditCheckpointsService.create, takes its clinic's head first and then
   * only inserts (a checkpoint row and its event).
   */
  async lockChainHead(manager: EntityManager, clinicId: string | null): Promise<ChainHead> {
    const chainId = chainIdOf(clinicId);
    const lock = `${CHAIN_HEAD} FOR NO KEY UPDATE`;
    let [head] = await queryRows<ChainHead>(manager, lock, [chainId]);
    if (!head) {
      await manager.query(`INSERT INTO audit_chain_heads (chain_id, clinic_id, seq, hash) VALUES ($1, $2, 0, $3) ON CONFLICT (chain_id) DO NOTHING`, [chainId, clinicId, GENESIS]);
      [head] = await queryRows<ChainHead>(manager, lock, [chainId]);
    }
    return { seq: String(head.seq), hash: head.hash };
  }

  /**
   * One statement inserts the events and moves the head (still under its row lock) from `from`
   * past them. Returns each inserted event's global seq and clinic_seq; throws when the head moved.
   */
  async appendEvents(manager: EntityManager, clinicId: string | null, from: ChainHead, events: NewEventRow[]): Promise<Array<{ seq: string; clinic_seq: string }>> {
    const chainId = chainIdOf(clinicId);
    const values: unknown[] = [];
    const rows: string[] = [];
    for (const e of events) {
      const base = values.length;
      rows.push(`(${Array.from({ length: 12 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
      values.push(clinicId, e.clinicSeq, e.occurredAt, e.actorType, e.actorId, e.action, e.entityType, e.entityId, JSON.stringify(e.data), e.prevHash, e.hash, e.payloadDigest);
    }
    const last = events[events.length - 1];
    const n = values.length;
    values.push(chainId, from.seq, last.clinicSeq, last.hash);
    const inserted = await queryRows<{ seq: string; clinic_seq: string; moved: number }>(
      manager,
      `WITH ins AS (
         INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest)
         VALUES ${rows.join(', ')} RETURNING seq, clinic_seq),
       head AS (
         UPDATE audit_chain_heads SET seq = $${n + 3}, hash = $${n + 4} WHERE chain_id = $${n + 1} AND seq = $${n + 2} RETURNING seq)
       SELECT ins.seq, ins.clinic_seq, (SELECT count(*)::int FROM head) AS moved FROM ins`,
      values,
    );
    if (inserted[0]?.moved !== 1) throw new Error(`audit chain ${chainId}: the head moved while locked`);
    return inserted;
  }

  /** The payloads of events just appended (by their global seq). */
  async insertPayloads(manager: EntityManager, clinicId: string | null, payloads: Array<{ eventSeq: string; digest: string; payload: unknown }>): Promise<void> {
    if (!payloads.length) return;
    const values: unknown[] = [];
    const rows: string[] = [];
    for (const p of payloads) {
      rows.push(`($${values.length + 1}, $${values.length + 2}, $${values.length + 3}, $${values.length + 4})`);
      values.push(p.eventSeq, clinicId, p.digest, JSON.stringify(p.payload));
    }
    await manager.query(`INSERT INTO audit_event_payloads (event_seq, clinic_id, digest, payload) VALUES ${rows.join(', ')}`, values);
  }

  /** One page of the clinic's events in chain order, with the filters given, and how many match. */
  async listEvents(clinicId: string, f: EventFilters, limit: number, offset: number): Promise<{ events: AuditEvent[]; total: number }> {
    const params = [clinicId, f.action ?? null, f.entityType ?? null, f.entityId ?? null, f.actorType ?? null, f.actorId ?? null, f.since ?? null, f.until ?? null];
    const rows = await queryRows<EventRow>(this.db, `SELECT ${EVENT_COLUMNS} FROM audit_events e WHERE ${EVENT_FILTERS} ORDER BY e.clinic_seq ASC LIMIT $9 OFFSET $10`, [...params, limit, offset]);
    const [{ total }] = await queryRows<{ total: number }>(this.db, `SELECT count(*)::int AS total FROM audit_events e WHERE ${EVENT_FILTERS}`, params);
    return { events: rows.map(eventOf), total };
  }

  /** The clinic's events about any of these entities, in chain order. */
  async eventsAbout(clinicId: string, entityIds: string[]): Promise<AuditEvent[]> {
    const rows = await queryRows<EventRow>(this.db, `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE clinic_id = $1 AND entity_id = ANY($2::text[]) ORDER BY clinic_seq ASC`, [clinicId, entityIds]);
    return rows.map(eventOf);
  }

  /** The payloads of these events of the clinic (by global seq), through `manager` (verification's snapshot) or the pool. */
  async payloadsOf(clinicId: string, eventSeqs: string[], manager: EntityManager = this.db.manager): Promise<PayloadRow[]> {
    const rows = await queryRows<PayloadRow>(
      manager,
      `SELECT event_seq, digest, payload, redacted_at FROM audit_event_payloads WHERE event_seq = ANY($1::bigint[]) AND clinic_id = $2`,
      // One array literal (the seqs are bigints' text) rather than pg escaping thousands of elements.
      [`{${eventSeqs.join(',')}}`, clinicId],
    );
    return rows.map((r) => ({ ...r, event_seq: String(r.event_seq) }));
  }

  /**
   * The names of the clinic's staff with these ids (uuids only). A read join on clinics'
   * `staff_users`, read-only and within the clinic: audit sits below every feature and calls none.
   */
  async staffNames(clinicId: string, ids: string[]): Promise<Array<{ id: string; name: string }>> {
    return queryRows<{ id: string; name: string }>(this.db, `SELECT id, name FROM staff_users WHERE clinic_id = $1 AND id = ANY($2::uuid[])`, [clinicId, ids]);
  }

  /** The clinic's erasure events (`patient.erased`) listing any of these clinic_seqs, in chain order: one row per claim. */
  async erasureClaims(clinicId: string, clinicSeqs: string[]): Promise<Array<{ claimed: string; clinic_seq: string; occurred_at: Date; entity_id: string | null }>> {
    return queryRows(
      this.db,
      `SELECT s.claimed, e.clinic_seq::text AS clinic_seq, e.occurred_at, e.entity_id
         FROM audit_events e CROSS JOIN LATERAL jsonb_array_elements_text(e.data->'redactedSeqs') AS s(claimed)
        WHERE e.clinic_id = $1 AND e.action = 'patient.erased' AND jsonb_typeof(e.data->'redactedSeqs') = 'array' AND s.claimed = ANY($2::text[])
        ORDER BY e.clinic_seq`,
      [clinicId, clinicSeqs],
    );
  }

  /** Blanks the not yet redacted payloads of the clinic's events about these entities; their clinic_seqs. */
  async redactPayloads(manager: EntityManager, clinicId: string, entityIds: string[], at: Date, reason: string): Promise<string[]> {
    const rows = await queryRows<{ clinic_seq: string }>(
      manager,
      `UPDATE audit_event_payloads p SET payload = NULL, redacted_at = $3, redaction_reason = $4
         FROM audit_events e
        WHERE e.seq = p.event_seq AND e.clinic_id = $1 AND e.entity_id = ANY($2::text[]) AND p.redacted_at IS NULL
        RETURNING e.clinic_seq`,
      [clinicId, entityIds, at, reason],
    );
    return rows.map((r) => String(r.clinic_seq));
  }

  /**
   * Starts verification's read-only snapshot (REPEATABLE READ) on the runner. Its page queries read
   * the (clinic_id, clinic_seq) index and the payloads' primary key, whatever the statistics say.
   */
  async startSnapshot(runner: QueryRunner): Promise<void> {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query(`SET TRANSACTION READ ONLY`);
    await runner.query(`SET LOCAL enable_seqscan = off`);
    await runner.query(`SET LOCAL enable_bitmapscan = off`);
    // Timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]+00' (chainPageText): the verifier makes them ISO strings.
    await runner.query(`SET LOCAL TimeZone = 'UTC'`);
    await runner.query(`SET LOCAL DateStyle = 'ISO'`);
  }

  /**
   * A keyset page of the clinic's chain from clinic_seq `from` (by the (clinic_id, clinic_seq)
   * index), each row an array of the columns as text in CHAIN_TEXT_COLUMNS' order (data as its
   * JSON text, occurred_at as timestamptz's own text in the snapshot's UTC and ISO DateStyle:
   * to_char would cost the server more than the whole rest of the page).
   *
   * Through the runner's own pg client (its snapshot), with pg's array row mode and no type
   * parsers: verification reads a million rows, and building an object per row and parsing each
   * column by type cost as much as hashing them. queryRows cannot ask for either, hence the
   * client; the SQL is still this repository's, with its clinic filter.
   */
  async chainPageText(client: PoolClient, clinicId: string, from: number, pageSize: number): Promise<ChainTextRow[]> {
    const result = await client.query<ChainTextRow>({
      text: `SELECT ${CHAIN_TEXT_COLUMNS} FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2 ORDER BY clinic_id, clinic_seq LIMIT $3`,
      values: [clinicId, String(from), pageSize],
      rowMode: 'array',
      types: TEXT_ONLY,
    });
    return result.rows;
  }

  /** The clinic's events after clinic_seq `after`, in chain order (occurred_at as stored). */
  async eventsAfter(manager: EntityManager, clinicId: string, after: string): Promise<Array<Omit<StoredEventRow, 'seq' | 'occurred_at'> & { occurred_at: Date }>> {
    return queryRows(
      manager,
      `SELECT clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest
         FROM audit_events WHERE clinic_id = $1 AND clinic_seq > $2 ORDER BY clinic_id, clinic_seq`,
      [clinicId, after],
    );
  }

  /** How many events the clinic's chain holds, and its newest one (the real head), as stored. */
  async storedHead(manager: EntityManager, clinicId: string): Promise<{ count: number; head: ChainHead | null }> {
    const [{ n }] = await queryRows<{ n: number }>(manager, `SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1`, [clinicId]);
    const [h] = await queryRows<ChainHead>(manager, `SELECT clinic_seq::text AS seq, hash FROM audit_events WHERE clinic_id = $1 ORDER BY clinic_seq DESC LIMIT 1`, [clinicId]);
    return { count: n, head: h ? { seq: String(h.seq), hash: h.hash } : null };
  }

  /** The clinic's stored checkpoints, oldest first. */
  async checkpoints(manager: EntityManager, clinicId: string): Promise<StoredCheckpoint[]> {
    const rows = await queryRows<CheckpointRow>(manager, `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE clinic_id = $1 ORDER BY created_at, clinic_seq`, [clinicId]);
    return rows.map(checkpointOf);
  }

  /** One of the clinic's checkpoints, or null. */
  async checkpoint(clinicId: string, id: string): Promise<StoredCheckpoint | null> {
    const [row] = await queryRows<CheckpointRow>(this.db, `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE clinic_id = $1 AND id = $2`, [clinicId, id]);
    return row ? checkpointOf(row) : null;
  }

  /** The highest clinic_seq any of the clinic's checkpoints signed, or null. */
  async highestCheckpointSeq(manager: EntityManager, clinicId: string): Promise<string | null> {
    const [{ max }] = await queryRows<{ max: string | null }>(manager, `SELECT max(clinic_seq)::text AS max FROM audit_checkpoints WHERE clinic_id = $1`, [clinicId]);
    return max;
  }

  async insertCheckpoint(manager: EntityManager, cp: StoredCheckpoint): Promise<void> {
    await manager.query(
      `INSERT INTO audit_checkpoints (id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [cp.id, cp.clinicId, cp.clinicSeq, cp.headHash, cp.createdAt, cp.signature, cp.publicKey],
    );
  }

  /**
   * A page of the clinic's checkpoints, newest first, each with who asked for it: the actor of its
   * own `audit.checkpoint_created` event. Read join: the actor's name from clinics' `staff_users`
   * (read-only, within the clinic; audit calls no feature).
   */
  async listCheckpoints(clinicId: string, limit: number, offset: number): Promise<{ items: ListedCheckpoint[]; total: number }> {
    const rows = await queryRows<CheckpointRow & { actor_type: string | null; actor_id: string | null; actor_name: string | null }>(
      this.db,
      `SELECT k.id, k.clinic_id, k.clinic_seq, k.head_hash, k.created_at, k.signature, k.public_key,
              e.actor_type, e.actor_id, s.name AS actor_name
         FROM audit_checkpoints k
         LEFT JOIN audit_events e ON e.clinic_id = k.clinic_id AND e.action = 'audit.checkpoint_created' AND e.entity_id = k.id::text
         LEFT JOIN staff_users s ON e.actor_type = 'staff' AND s.clinic_id = k.clinic_id AND s.id::text = e.actor_id
        WHERE k.clinic_id = $1 ORDER BY k.created_at DESC, k.clinic_seq DESC LIMIT $2 OFFSET $3`,
      [clinicId, limit, offset],
    );
    const [{ total }] = await queryRows<{ total: number }>(this.db, `SELECT count(*)::int AS total FROM audit_checkpoints WHERE clinic_id = $1`, [clinicId]);
    return {
      items: rows.map((r) => ({
        ...checkpointOf(r),
        createdBy: r.actor_type ? { actorType: r.actor_type, actorId: r.actor_id ?? null, name: r.actor_name ?? null } : null,
      })),
      total,
    };
  }

  /**
   * The clinics whose chain has moved since their last checkpoint (a checkpoint's own event does
   * not count as a move), from the head table (one row per clinic), not a scan of the events. A
   * head below the last checkpoint is selected too: signing is then refused and the refusal logged.
   * The one query across clinics: the scheduled pass's.
   */
  async clinicsWithMovedChains(): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT h.clinic_id AS id FROM audit_chain_heads h
         LEFT JOIN LATERAL (
           SELECT k.clinic_seq FROM audit_checkpoints k WHERE k.clinic_id = h.clinic_id ORDER BY k.created_at DESC, k.clinic_seq DESC LIMIT 1) k ON true
        WHERE h.clinic_id IS NOT NULL AND h.seq > 0
          AND (k.clinic_seq IS NULL OR h.seq < k.clinic_seq OR h.seq > k.clinic_seq + 1
               OR (h.seq = k.clinic_seq + 1 AND NOT EXISTS (
                     SELECT 1 FROM audit_events e WHERE e.clinic_id = h.clinic_id AND e.clinic_seq = h.seq AND e.action = 'audit.checkpoint_created')))
        ORDER BY h.clinic_id`,
    );
    return rows.map((r) => r.id);
  }
}
