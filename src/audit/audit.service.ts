import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { Clock } from '../common/clock';
import { currentRequest } from '../common/request-context';
import type { Actor } from '../common/actor';
import { ActorType, AuditEvent } from './audit-event.entity';
import { canonicalJson } from './canonical-json';
import type { FieldChanges } from './field-changes';
import { checkpointSignatureValid, ExportedCheckpoint } from './signing-key';
import { queryRows } from '../database/query-rows';

/** @deprecated import Actor and SYSTEM from common/actor (kept so branches in flight still compile). */
export { SYSTEM } from '../common/actor';
export type { Actor } from '../common/actor';

export interface AuditEntry {
  clinicId: string | null;
  actor: Actor;
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Ids and field names only: never names, addresses, phone numbers or answers. */
  data?: Record<string, unknown>;
  /**
   * Old and new value of each changed field of a clinical record. The values live in the
   * event's redactable payload (erasure may blank them); the chain covers the payload's digest.
   */
  changes?: FieldChanges;
  /** Why, where the workflow asks for one (it may hold personal data, so it sits in the payload too). */
  reason?: string;
}

const GENESIS = '0'.repeat(64);
/** The platform chain's key (events with no clinic): every chain head has a non-null key. */
export const PLATFORM_CHAIN_ID = '00000000-0000-0000-0000-000000000000';
const chainIdOf = (clinicId: string | null): string => clinicId ?? PLATFORM_CHAIN_ID;

/** What an event's redactable payload holds: the values, never in the chained `data`. */
export interface AuditPayload {
  changes?: FieldChanges;
  reason?: string;
}

export type ListedAuditEvent = AuditEvent & { changes: FieldChanges | null; reason: string | null; payloadRedactedAt: Date | null };

function payloadOf(entry: AuditEntry): AuditPayload | null {
  const payload: AuditPayload = {};
  if (entry.changes && Object.keys(entry.changes).length) payload.changes = entry.changes;
  if (entry.reason !== undefined && entry.reason !== null) payload.reason = entry.reason;
  return Object.keys(payload).length ? payload : null;
}

/** SHA-256 of the payload's canonical JSON: what the chained event carries. */
export function payloadDigestOf(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

/**
 * ok: the chain is whole and every checkpoint that vouches for it is a prefix of it; broken: a
 * link, an event or a payload does not fit, or a checkpoint does not; truncated: events at or
 * after a checkpoint's seq (or below the recorded head) are gone; unverifiable_truncation: the
 * chain is whole in itself but no trusted key was given, so a cut-off end cannot be ruled out.
 */
export type ChainStatus = 'ok' | 'broken' | 'truncated' | 'unverifiable_truncation';

export interface ChainReport {
  ok: boolean;
  status: ChainStatus;
  /** Events in the clinic's chain as stored (all of them, also when the walk stopped early). */
  count: number;
  /** The chain's real head: its newest stored event. */
  headSeq: string | null;
  headHash: string | null;
  /** The head the service recorded with its last append (audit_chain_heads); events missing below it are a cut. */
  recordedHead?: { seq: string; hash: string } | null;
  brokenAt?: string;
  /** altered, missing, out of order, truncated, head mismatch; payload altered, payload missing, payload redacted without an erasure; or about a checkpoint: checkpoint signature invalid, checkpoint mismatch, checkpoint is for another clinic, checkpoint not signed by a trusted key; or why it is unverifiable. */
  reason?: string;
  /** The checkpoint the answer is about (truncated: the one cut under; else the given or newest stored one; null: none yet). */
  checkpoint?: CheckpointRef | null;
  /** How many checkpoints vouched for the chain (valid, trusted signature) and were checked as its prefixes. */
  checkpointsChecked?: number;
  /** Payloads blanked by erasure among the events checked (their digests still chain). */
  redactedPayloads?: number;
}

export interface VerifyOptions {
  /** undefined: checkpoints judged by their signatures only; null: no key trusted (see verify). */
  trustedKey?: string | null;
  /** Called after each page of events hashed: events checked so far, and the chain's recorded length. */
  onProgress?: (p: { checked: number; total: number }) => void;
  /** Stops the walk between pages (the caller went away). */
  signal?: AbortSignal;
  /** Events read and hashed per page (5000). */
  pageSize?: number;
}

export interface CheckpointRef {
  id?: string;
  clinicSeq: string;
  headHash: string;
  createdAt: string;
  publicKey: string;
}

/** The one place that writes audit events: a hash chain per clinic, append-only in the database. */
type PendingEntry = AuditEntry & { occurredAt: Date; requestId?: string };

/** A read waiting to be put on the record: resolved once the batch holding it has committed. */
interface WaitingAccess {
  entry: PendingEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** At most this many reads chained in one access transaction. */
const ACCESS_BATCH_MAX = 200;

@Injectable()
export class AuditService implements EntitySubscriberInterface, OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, PendingEntry[]>();
  /** Reads waiting for their chain's access transaction, per chain; a chain is in the map while one is being written. */
  private readonly accessQueues = new Map<string, WaitingAccess[]>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Records an event in the transaction that makes the change. Events are held until the
   * transaction commits and then chained in one go, so the per-clinic chain lock is held only
   * for that flush and the commit, not for the whole transaction.
   */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error(`audit ${entry.action}: must be recorded inside the change's transaction`);
    }
    // Events are flushed at the outer COMMIT; a savepoint's rollback could not take back only its own.
    if (depthOf(runner) > 1) {
      throw new Error(`audit ${entry.action}: cannot be recorded inside a nested transaction (savepoint); record it in the outer transaction`);
    }
    const pending = this.pending.get(runner) ?? [];
    pending.push(this.pendingOf(entry));
    this.pending.set(runner, pending);
  }

  /**
   * For an event that changes nothing else (a read, an export): records it in a transaction
   * of its own and resolves once it is committed, so a caller answers only after the read is on
   * the record.
   */
  async recordAccess(entry: AuditEntry): Promise<void> {
    const waiting = { entry: this.pendingOf(entry) } as WaitingAccess;
    const done = new Promise<void>((resolve, reject) => Object.assign(waiting, { resolve, reject }));
    const key = chainIdOf(entry.clinicId);
    const queue = this.accessQueues.get(key);
    if (queue) queue.push(waiting);
    else {
      this.accessQueues.set(key, [waiting]);
      void this.writeAccesses(key);
    }
    return done;
  }

  /**
   * Group commit of reads, per chain: one transaction (head lock, one INSERT of the events,
   * COMMIT) chains every read that arrived while the previous one was committing, instead of
   * twenty transactions queueing on the chain head one after another. Each read still answers
   * only after its own event is committed, in the order the reads arrived; when a batch fails,
   * its reads are written one by one, so one read's failure is only its own.
   */
  private async writeAccesses(key: string): Promise<void> {
    const queue = this.accessQueues.get(key)!;
    try {
      while (queue.length) {
        const batch = queue.splice(0, ACCESS_BATCH_MAX);
        try {
          await this.db.transaction((m) => this.flush(m, batch.map((w) => w.entry)));
          for (const w of batch) w.resolve();
        } catch (err) {
          if (batch.length === 1) batch[0].reject(err);
          else {
            for (const w of batch) {
              await this.db.transaction((m) => this.flush(m, [w.entry])).then(w.resolve, w.reject);
            }
          }
        }
      }
    } finally {
      this.accessQueues.delete(key);
    }
  }

  /** The entry as it waits for its flush: its time and the request that made it, taken now. */
  private pendingOf(entry: AuditEntry): PendingEntry {
    return { ...entry, occurredAt: this.clock.now(), requestId: currentRequest()?.requestId };
  }

  onModuleInit(): void {
    this.db.subscribers.push(this);
  }

  /** TypeORM calls this just before COMMIT, and also before releasing a savepoint: only the outer commit flushes. */
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    if (depthOf(event.queryRunner) !== 1) return;
    const pending = this.pending.get(event.queryRunner);
    if (!pending?.length) return;
    this.pending.delete(event.queryRunner);
    await this.flush(event.manager, pending);
  }

  /** A savepoint's rollback keeps the outer transaction (and its events) alive; only the outer rollback drops them. */
  beforeTransactionRollback(event: TransactionRollbackEvent): void {
    if (depthOf(event.queryRunner) !== 1) return;
    this.pending.delete(event.queryRunner);
  }

  private async flush(m: EntityManager, entries: PendingEntry[]): Promise<void> {
    const byClinic = new Map<string, PendingEntry[]>();
    for (const e of entries) {
      const key = e.clinicId ?? '';
      byClinic.set(key, [...(byClinic.get(key) ?? []), e]);
    }
    // Chains are locked in one order everywhere, so two transactions never wait on each other in a cycle.
    for (const key of [...byClinic.keys()].sort()) {
      const clinicId = key || null;
      const chainId = chainIdOf(clinicId);
      const head = await this.lockChain(m, clinicId);
      const startSeq = BigInt(head.seq);
      let seq = startSeq;
      let prevHash: string = head.hash;
      const values: unknown[] = [];
      const rows: string[] = [];
      const payloads = new Map<string, { digest: string; payload: AuditPayload }>();
      for (const entry of byClinic.get(key)!) {
        seq += 1n;
        const payload = payloadOf(entry);
        const payloadDigest = payload ? payloadDigestOf(payload) : null;
        const event = {
          clinicId,
          clinicSeq: String(seq),
          occurredAt: entry.occurredAt.toISOString(),
          actorType: entry.actor.type,
          actorId: entry.actor.id,
          action: entry.action,
          entityType: entry.entityType,
          entityId: entry.entityId ?? null,
          // The HTTP request that made the change (X-Request-Id), so an event leads to its log lines.
          data: entry.requestId !== undefined ? { ...entry.data, requestId: entry.requestId } : (entry.data ?? {}),
          // Only events with a payload carry the key, so chains written before payloads still verify.
          ...(payloadDigest ? { payloadDigest } : {}),
        };
        if (payload) payloads.set(event.clinicSeq, { digest: payloadDigest!, payload });
        const hash = chainHash(prevHash, event);
        const base = values.length;
        rows.push(`(${Array.from({ length: 12 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
        values.push(clinicId, event.clinicSeq, entry.occurredAt, event.actorType, event.actorId, event.action, event.entityType, event.entityId, JSON.stringify(event.data), prevHash, hash, payloadDigest);
        prevHash = hash;
      }
      // One statement inserts the events and moves the head (still under its row lock) past them.
      const n = values.length;
      values.push(chainId, String(startSeq), String(seq), prevHash);
      const inserted: Array<{ seq: string; clinic_seq: string; moved: number }> = await queryRows(
        m,
        `WITH ins AS (
           INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest)
           VALUES ${rows.join(', ')} RETURNING seq, clinic_seq),
         head AS (
           UPDATE audit_chain_heads SET seq = $${n + 3}, hash = $${n + 4} WHERE chain_id = $${n + 1} AND seq = $${n + 2} RETURNING seq)
         SELECT ins.seq, ins.clinic_seq, (SELECT count(*)::int FROM head) AS moved FROM ins`,
        values,
      );
      if (inserted[0]?.moved !== 1) throw new Error(`audit chain ${chainId}: the head moved while locked`);
      if (payloads.size) {
        const pv: unknown[] = [];
        const pr: string[] = [];
        for (const row of inserted) {
          const p = payloads.get(String(row.clinic_seq));
          if (!p) continue;
          pr.push(`($${pv.length + 1}, $${pv.length + 2}, $${pv.length + 3}, $${pv.length + 4})`);
          pv.push(row.seq, clinicId, p.digest, JSON.stringify(p.payload));
        }
        await m.query(`INSERT INTO audit_event_payloads (event_seq, clinic_id, digest, payload) VALUES ${pr.join(', ')}`, pv);
      }
    }
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
  async lockChain(m: EntityManager, clinicId: string | null): Promise<{ seq: string; hash: string }> {
    const chainId = chainIdOf(clinicId);
    const lock = `SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE chain_id = $1 FOR NO KEY UPDATE`;
    let [head] = await m.query(lock, [chainId]);
    if (!head) {
      await m.query(`INSERT INTO audit_chain_heads (chain_id, clinic_id, seq, hash) VALUES ($1, $2, 0, $3) ON CONFLICT (chain_id) DO NOTHING`, [chainId, clinicId, GENESIS]);
      [head] = await m.query(lock, [chainId]);
    }
    return { seq: String(head.seq), hash: head.hash };
  }

  async list(
    clinicId: string,
    q: { limit: number; offset: number; action?: string; entityType?: string; entityId?: string; actorType?: ActorType; actorId?: string; since?: Date; until?: Date },
  ): Promise<{ items: ListedAuditEvent[]; total: number }> {
    const qb = this.db
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.clinic_id = :clinicId', { clinicId })
      .orderBy('e.clinic_seq', 'ASC')
      .take(q.limit)
      .skip(q.offset);
    if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.entityType) qb.andWhere('e.entity_type = :entityType', { entityType: q.entityType });
    if (q.entityId) qb.andWhere('e.entity_id = :entityId', { entityId: q.entityId });
    if (q.actorType) qb.andWhere('e.actor_type = :actorType', { actorType: q.actorType });
    if (q.actorId) qb.andWhere('e.actor_id = :actorId', { actorId: q.actorId });
    if (q.since) qb.andWhere('e.occurred_at >= :since', { since: q.since });
    if (q.until) qb.andWhere('e.occurred_at < :until', { until: q.until });
    const [events, total] = await qb.getManyAndCount();
    return { items: await this.withPayloads(events), total };
  }

  /** Each event with its payload: the values (changes, reason), or when it was redacted. */
  async withPayloads(events: AuditEvent[]): Promise<ListedAuditEvent[]> {
    const seqs = events.filter((e) => e.payloadDigest).map((e) => e.seq);
    const rows: Array<{ event_seq: string; payload: AuditPayload | null; redacted_at: Date | null }> = seqs.length
      ? await this.db.query(`SELECT event_seq, payload, redacted_at FROM audit_event_payloads WHERE event_seq = ANY($1::bigint[])`, [seqs])
      : [];
    const bySeq = new Map(rows.map((r) => [String(r.event_seq), r]));
    return events.map((e) => {
      const p = bySeq.get(String(e.seq));
      return {
        ...e,
        changes: p?.payload?.changes ?? null,
        reason: p?.payload?.reason ?? null,
        payloadRedactedAt: p?.redacted_at ?? null,
      };
    });
  }

  /** The names of the clinic's staff among these actor ids (a deactivated colleague keeps their name). */
  async staffNames(clinicId: string, ids: string[]): Promise<Map<string, string>> {
    const uuids = [...new Set(ids)].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    if (!uuids.length) return new Map();
    const rows: Array<{ id: string; name: string }> = await this.db.query(`SELECT id, name FROM staff_users WHERE clinic_id = $1 AND id = ANY($2::uuid[])`, [clinicId, uuids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * The erasure event (`patient.erased`, which lists the sequence numbers it blanked) that
   * claims each of these redacted events: what verification accepts a blank payload by.
   */
  async erasuresClaiming(clinicId: string, clinicSeqs: string[]): Promise<Map<string, { clinicSeq: string; occurredAt: Date; entityId: string | null }>> {
    if (!clinicSeqs.length) return new Map();
    const rows: Array<{ claimed: string; clinic_seq: string; occurred_at: Date; entity_id: string | null }> = await this.db.query(
      `SELECT s.claimed, e.clinic_seq::text AS clinic_seq, e.occurred_at, e.entity_id
         FROM audit_events e CROSS JOIN LATERAL jsonb_array_elements_text(e.data->'redactedSeqs') AS s(claimed)
        WHERE e.clinic_id = $1 AND e.action = 'patient.erased' AND jsonb_typeof(e.data->'redactedSeqs') = 'array' AND s.claimed = ANY($2::text[])
        ORDER BY e.clinic_seq`,
      [clinicId, clinicSeqs],
    );
    const out = new Map<string, { clinicSeq: string; occurredAt: Date; entityId: string | null }>();
    for (const r of rows) if (!out.has(r.claimed)) out.set(r.claimed, { clinicSeq: r.clinic_seq, occurredAt: r.occurred_at, entityId: r.entity_id });
    return out;
  }

  /** Audit events about any of these entities (a patient and their records), oldest first. */
  async listAbout(clinicId: string, entityIds: string[]): Promise<ListedAuditEvent[]> {
    if (!entityIds.length) return [];
    const events = await this.db
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.clinic_id = :clinicId AND e.entity_id IN (:...entityIds)', { clinicId, entityIds })
      .orderBy('e.clinic_seq', 'ASC')
      .getMany();
    return this.withPayloads(events);
  }

  /**
   * Blanks the payloads of the events about these entities (erasure), once each. Returns their
   * sequence numbers: the erasure's own event lists them, and verify accepts a redacted payload
   * only when such an event claims it.
   */
  async redactPayloads(m: EntityManager, clinicId: string, entityIds: string[], reason: string): Promise<string[]> {
    if (!entityIds.length) return [];
    const rows = await queryRows<{ clinic_seq: string }>(
      m,
      `UPDATE audit_event_payloads p SET payload = NULL, redacted_at = $3, redaction_reason = $4
         FROM audit_events e
        WHERE e.seq = p.event_seq AND e.clinic_id = $1 AND e.entity_id = ANY($2::text[]) AND p.redacted_at IS NULL
        RETURNING e.clinic_seq`,
      [clinicId, entityIds, this.clock.now(), reason],
    );
    return rows.map((r) => String(r.clinic_seq)).sort((a, b) => Number(a) - Number(b));
  }

  /**
   * Walks the clinic's whole chain in one snapshot and recomputes every hash, then checks it
   * against every checkpoint: each stored one, and `given` (an exported one) when passed. A
   * checkpoint counts only when its signature is valid and, with `trustedKey`, it was signed by
   * that key; each counted checkpoint must be a prefix of the chain (its seq at most the head,
   * the event hash at its seq equal to its head hash). Events missing at or after a checkpoint's
   * seq, or below the recorded head (audit_chain_heads), are reported as `truncated` with the
   * checkpoint and the real head, before anything the shortened walk ran into.
   *
   * `trustedKey`: undefined judges checkpoints by their signatures only; null says no key is
   * trusted, so a chain that is whole in itself is reported `unverifiable_truncation` (not ok):
   * without a trusted signer nothing shows that its newest events were not cut off.
   *
   * The report's count and head (headSeq, headHash) describe the whole chain as stored, not
   * where the walk stopped.
   */
  async verify(clinicId: string, given?: ExportedCheckpoint, opts: VerifyOptions = {}): Promise<ChainReport> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`SET TRANSACTION READ ONLY`);
      // Page queries read the (clinic_id, clinic_seq) index and the payloads' primary key, whatever the statistics say.
      await runner.query(`SET LOCAL enable_seqscan = off`);
      await runner.query(`SET LOCAL enable_bitmapscan = off`);
      const report = await this.verifyIn(runner, clinicId, given, opts.trustedKey, opts);
      await runner.rollbackTransaction();
      return report;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async verifyIn(
    runner: QueryRunner,
    clinicId: string,
    given: ExportedCheckpoint | undefined,
    trustedKey: string | null | undefined,
    progress: Pick<VerifyOptions, 'onProgress' | 'signal' | 'pageSize'> = {},
  ): Promise<ChainReport> {
    const storedRows: Array<Record<string, any>> = await runner.query(
      `SELECT id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key FROM audit_checkpoints WHERE clinic_id = $1 ORDER BY created_at, clinic_seq`,
      [clinicId],
    );
    const stored = storedRows.map(checkpointFromRow);
    const newest: (ExportedCheckpoint & { id?: string }) | null = given ?? stored[stored.length - 1] ?? null;
    const refOf = (cp: ExportedCheckpoint & { id?: string }): CheckpointRef => ({
      clinicSeq: cp.clinicSeq, headHash: cp.headHash, createdAt: cp.createdAt, publicKey: cp.publicKey, ...(cp.id ? { id: cp.id } : {}),
    });
    const all = given ? [...stored, given] : stored;
    const [recorded] = await runner.query(`SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE chain_id = $1`, [chainIdOf(clinicId)]);
    const recordedHead: { seq: string; hash: string } | null = recorded ? { seq: String(recorded.seq), hash: recorded.hash } : null;

    // The checkpoints that vouch for the chain: well signed, for this clinic, by a trusted signer.
    const problems: Array<{ cp: ExportedCheckpoint & { id?: string }; reason: string }> = [];
    const vouching: Array<{ cp: ExportedCheckpoint & { id?: string }; seq: bigint }> = [];
    for (const cp of all) {
      let seq: bigint | null = null;
      try {
        seq = BigInt(cp.clinicSeq);
      } catch {
        seq = null;
      }
      if (cp.clinicId !== clinicId) problems.push({ cp, reason: 'checkpoint is for another clinic' });
      else if (seq === null || seq < 0n || !checkpointSignatureValid(cp)) problems.push({ cp, reason: 'checkpoint signature invalid' });
      else if (trustedKey && !sameKey(trustedKey, cp.publicKey)) {
        // An old key's checkpoints (before a rotation) vouch for nothing but are no fault; the newest must be ours.
        if (cp === newest) problems.push({ cp, reason: 'checkpoint not signed by a trusted key' });
      } else vouching.push({ cp, seq });
    }
    const wanted = new Set(vouching.map((v) => String(v.seq)));

    const walk = await this.walk(runner, clinicId, wanted, { ...progress, total: recordedHead ? Number(recordedHead.seq) : 0 });
    // The whole chain as stored, not where the walk stopped.
    let count = walk.count;
    let head = walk.head;
    if (walk.broken) {
      const [c] = await runner.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1`, [clinicId]);
      count = c.n;
      const [h] = await runner.query(`SELECT clinic_seq::text AS seq, hash FROM audit_events WHERE clinic_id = $1 ORDER BY clinic_seq DESC LIMIT 1`, [clinicId]);
      head = h ? { seq: String(h.seq), hash: h.hash } : null;
    }
    const headSeq = head ? BigInt(head.seq) : 0n;
    const base = {
      count,
      headSeq: head?.seq ?? null,
      headHash: head?.hash ?? null,
      recordedHead,
      redactedPayloads: walk.redacted,
      checkpointsChecked: vouching.length,
    };
    const fail = (status: ChainStatus, reason: string, brokenAt: string | undefined, cp: (ExportedCheckpoint & { id?: string }) | null): ChainReport => ({
      ok: false,
      status,
      ...base,
      ...(brokenAt ? { brokenAt } : {}),
      reason,
      checkpoint: cp ? refOf(cp) : null,
    });

    // 1. Truncation: the newest events are gone under a checkpoint (the highest one that vouches), or below the recorded head.
    const highest = vouching.reduce<(typeof vouching)[number] | null>((a, v) => (!a || v.seq > a.seq ? v : a), null);
    if (highest && highest.seq > headSeq) return fail('truncated', 'truncated', String(headSeq + 1n), highest.cp);
    if (recordedHead && BigInt(recordedHead.seq) > headSeq) return fail('truncated', 'truncated', String(headSeq + 1n), newest);
    // 2. A break in the chain itself (altered, missing, out of order, a payload problem).
    if (walk.broken) return fail('broken', walk.broken.reason, walk.broken.at, newest);
    // 3. A chain whole in itself but not the one a checkpoint signed (rewritten at or before its seq).
    for (const v of vouching) {
      const expected = v.seq === 0n ? GENESIS : walk.hashes.get(String(v.seq));
      if (expected !== v.cp.headHash) return fail('broken', 'checkpoint mismatch', v.seq === 0n ? undefined : String(v.seq), v.cp);
    }
    if (recordedHead && (BigInt(recordedHead.seq) !== headSeq || recordedHead.hash !== (head?.hash ?? GENESIS))) {
      return fail('broken', 'head mismatch', recordedHead.seq, newest);
    }
    // 4. Checkpoints that vouch for nothing.
    const problem = problems.find((p) => p.cp === newest) ?? problems[0];
    if (problem) return fail('broken', problem.reason, undefined, problem.cp);
    if (trustedKey === null) {
      return fail('unverifiable_truncation', 'no trusted key: the chain is whole in itself, but nothing shows its newest events were not cut off', undefined, newest);
    }
    return { ok: true, status: 'ok', ...base, checkpoint: newest ? refOf(newest) : null };
  }

  /**
   * Streams the chain in keyset pages of events (by the (clinic_id, clinic_seq) index) and their
   * payloads (by primary key, a separate query), the next page read while this one is hashed.
   * Stops at the first break; a blank payload is a break only when no erasure event of the chain
   * lists it (an erasure comes after the events it redacts, so this is settled at the end).
   */
  private async walk(runner: QueryRunner, clinicId: string, wanted: Set<string>, progress: Pick<VerifyOptions, 'onProgress' | 'signal' | 'pageSize'> & { total: number }) {
    const pageSize = progress.pageSize ?? 5000;
    const hashes = new Map<string, string>();
    const claimed = new Set<string>();
    const redactedSeqs: bigint[] = [];
    let prevHash = GENESIS;
    let expectedSeq = 1n;
    let count = 0;
    let head: { seq: string; hash: string } | null = null;
    let broken: { at: string; reason: string } | null = null;
    const fetchPage = async (from: bigint) => {
      const events: Array<Record<string, any>> = await runner.query(
        // occurred_at as the ISO string the chain holds (milliseconds, UTC): no Date round trip per event.
        `SELECT seq, clinic_seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
                actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest
           FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2 ORDER BY clinic_id, clinic_seq LIMIT ${pageSize}`,
        [clinicId, String(from)],
      );
      if (!events.length) return { events, payloads: new Map<string, Record<string, any>>() };
      const rows: Array<Record<string, any>> = await runner.query(
        `SELECT event_seq, digest, payload, redacted_at FROM audit_event_payloads WHERE event_seq = ANY($1::bigint[])`,
        [events.map((e) => String(e.seq))],
      );
      return { events, payloads: new Map(rows.map((r) => [String(r.event_seq), r])) };
    };
    let next: ReturnType<typeof fetchPage> | null = fetchPage(1n);
    outer: while (next) {
      const { events, payloads } = await next;
      next = null;
      if (events.length === pageSize) {
        const last = BigInt(events[events.length - 1].clinic_seq);
        next = fetchPage(last + 1n);
        next.catch(() => undefined); // awaited on the next turn; a break may leave it unread
      }
      for (const row of events) {
        const seq = BigInt(row.clinic_seq);
        if (seq !== expectedSeq) {
          broken = { at: String(expectedSeq), reason: 'missing' };
          break outer;
        }
        if (row.prev_hash !== prevHash) {
          broken = { at: String(seq), reason: 'out of order' };
          break outer;
        }
        const recomputed = eventHash(clinicId, prevHash, row);
        if (recomputed !== row.hash) {
          broken = { at: String(seq), reason: 'altered' };
          break outer;
        }
        const p = payloads.get(String(row.seq));
        const payloadProblem = payloadCheck({ payload_digest: row.payload_digest, p_seq: p ? p.event_seq : null, p_digest: p?.digest, p_payload: p?.payload ?? null, p_redacted_at: p?.redacted_at ?? null });
        if (payloadProblem) {
          broken = { at: String(seq), reason: payloadProblem };
          break outer;
        }
        if (p?.redacted_at) redactedSeqs.push(seq);
        if (row.action === 'patient.erased') for (const s of row.data?.redactedSeqs ?? []) claimed.add(String(s));
        const key = String(seq);
        if (wanted.has(key)) hashes.set(key, row.hash);
        prevHash = row.hash;
        head = { seq: key, hash: row.hash };
        expectedSeq = seq + 1n;
        count++;
      }
      // After each page: how far the walk is (the recorded head as the expected total), and whether the caller still wants it.
      progress.onProgress?.({ checked: count, total: Math.max(progress.total, count) });
      if (progress.signal?.aborted) throw new Error('verification aborted: nobody is waiting for it');
    }
    // A payload may be blank only because an erasure (whose chained event lists it) blanked it.
    const unclaimed = redactedSeqs.find((s) => !claimed.has(String(s)));
    if (unclaimed !== undefined && (!broken || unclaimed < BigInt(broken.at))) broken = { at: String(unclaimed), reason: 'payload redacted without an erasure' };
    return { count, head, broken, hashes, redacted: redactedSeqs.length };
  }

  /** The clinic's newest stored checkpoint, if any. */
  async latestCheckpoint(clinicId: string): Promise<(ExportedCheckpoint & { id: string }) | null> {
    const [row] = await this.db.query(
      `SELECT id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key FROM audit_checkpoints
        WHERE clinic_id = $1 ORDER BY created_at DESC, clinic_seq DESC LIMIT 1`,
      [clinicId],
    );
    return row ? checkpointFromRow(row) : null;
  }
}

export function checkpointFromRow(row: Record<string, any>): ExportedCheckpoint & { id: string } {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    clinicSeq: String(row.clinic_seq),
    headHash: row.head_hash,
    createdAt: new Date(row.created_at).toISOString(),
    signature: row.signature,
    publicKey: row.public_key,
  };
}

/** 1 in a transaction, 2+ inside savepoints; read before COMMIT/ROLLBACK lowers it (PostgresQueryRunner). */
function depthOf(runner: QueryRunner): number {
  return (runner as QueryRunner & { transactionDepth?: number }).transactionDepth ?? 1;
}

function sameKey(a: string | undefined | null, b: string | undefined | null): boolean {
  return !!a && !!b && a.trim() === b.trim();
}

/** Why an event's payload does not match the digest its chained event carries, if it does not. */
function payloadCheck(row: Record<string, any>): string | null {
  if (row.payload_digest === null) return row.p_seq !== null ? 'payload altered' : null;
  if (row.p_seq === null) return 'payload missing';
  if (row.p_digest !== row.payload_digest) return 'payload altered';
  if (row.p_redacted_at) return row.p_payload === null ? null : 'payload altered';
  if (row.p_payload === null || payloadDigestOf(row.p_payload) !== row.payload_digest) return 'payload altered';
  return null;
}

/** The hash a stored event row (audit_events columns) should carry after prevHash. */
export function eventHash(clinicId: string | null, prevHash: string, row: Record<string, any>): string {
  return createHash('sha256').update(prevHash).update('\n').update(eventCanonicalJson(clinicId, row)).digest('hex');
}

/**
 * canonicalJson of the chained event built from a stored row, written out key by key (the keys
 * in canonical order) for verification's speed; a spec checks it equals canonicalJson. The row's
 * occurred_at may be a Date or already its ISO string (verification selects it so).
 */
export function eventCanonicalJson(clinicId: string | null, row: Record<string, any>): string {
  const occurredAt = typeof row.occurred_at === 'string' ? row.occurred_at : new Date(row.occurred_at).toISOString();
  const q = (v: string | null | undefined) => (v === null || v === undefined ? 'null' : JSON.stringify(v));
  return (
    `{"action":${q(row.action)},"actorId":${q(row.actor_id)},"actorType":${q(row.actor_type)},"clinicId":${q(clinicId)},` +
    `"clinicSeq":${JSON.stringify(String(row.clinic_seq))},"data":${canonicalJson(row.data)},"entityId":${q(row.entity_id)},` +
    `"entityType":${q(row.entity_type)},"occurredAt":${JSON.stringify(occurredAt)}` +
    (row.payload_digest !== null && row.payload_digest !== undefined ? `,"payloadDigest":${JSON.stringify(row.payload_digest)}}` : '}')
  );
}

export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
