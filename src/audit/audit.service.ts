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
import { ActorType, AuditEvent } from './audit-event.entity';
import { canonicalJson } from './canonical-json';
import type { FieldChanges } from './field-changes';
import { checkpointSignatureValid, ExportedCheckpoint } from './signing-key';
import { queryRows } from '../database/query-rows';

export interface Actor {
  type: ActorType;
  id: string | null;
}
export const SYSTEM: Actor = { type: 'system', id: null };

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

export interface ChainReport {
  ok: boolean;
  count: number;
  headSeq: string | null;
  headHash: string | null;
  brokenAt?: string;
  /** altered, missing, out of order, truncated; payload altered, payload missing (a payload no longer matching its digest); or about the checkpoint: checkpoint signature invalid, checkpoint mismatch, checkpoint is for another clinic. */
  reason?: string;
  /** The checkpoint checked against (null: the clinic has none yet). */
  checkpoint?: CheckpointRef | null;
  /** Payloads blanked by erasure among the events checked (their digests still chain). */
  redactedPayloads?: number;
}

export interface CheckpointRef {
  id?: string;
  clinicSeq: string;
  headHash: string;
  createdAt: string;
  publicKey: string;
}

/** The one place that writes audit events: a hash chain per clinic, append-only in the database. */
type PendingEntry = AuditEntry & { occurredAt: Date };

@Injectable()
export class AuditService implements EntitySubscriberInterface, OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, PendingEntry[]>();

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
    pending.push({ ...entry, occurredAt: this.clock.now() });
    this.pending.set(runner, pending);
  }

  /**
   * For an event that changes nothing else (a read, an export): records it in a transaction
   * of its own and resolves once it is committed, so a caller answers only after the read is on
   * the record.
   */
  async recordAccess(entry: AuditEntry): Promise<void> {
    await this.db.transaction((m) => this.record(m, entry));
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
      await this.lockChain(m, clinicId);
      const [last] = await m.query(
        `SELECT clinic_seq, hash FROM audit_events WHERE clinic_id IS NOT DISTINCT FROM $1 ORDER BY clinic_seq DESC LIMIT 1`,
        [clinicId],
      );
      let seq = last ? BigInt(last.clinic_seq) : 0n;
      let prevHash: string = last ? last.hash : GENESIS;
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
          data: currentRequest() ? { ...entry.data, requestId: currentRequest()!.requestId } : (entry.data ?? {}),
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
      const inserted: Array<{ seq: string; clinic_seq: string }> = await queryRows(
        m,
        `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest)
         VALUES ${rows.join(', ')} RETURNING seq, clinic_seq`,
        values,
      );
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

  /** The clinic's chain lock: its head cannot move until this transaction ends. */
  async lockChain(m: EntityManager, clinicId: string | null): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(coalesce($1::text, 'system'), 42))`, [clinicId]);
  }

  async list(
    clinicId: string,
    q: { limit: number; offset: number; action?: string; entityId?: string; since?: Date },
  ): Promise<{ items: ListedAuditEvent[]; total: number }> {
    const qb = this.db
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.clinic_id = :clinicId', { clinicId })
      .orderBy('e.clinic_seq', 'ASC')
      .take(q.limit)
      .skip(q.offset);
    if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.entityId) qb.andWhere('e.entity_id = :entityId', { entityId: q.entityId });
    if (q.since) qb.andWhere('e.occurred_at >= :since', { since: q.since });
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
   * Walks the clinic's chain and recomputes every hash. Against a checkpoint (an exported one,
   * or by default the clinic's latest stored one) it also checks the checkpoint's signature and
   * that the chain still holds that sequence number with that hash, which catches a chain whose
   * newest events were cut off (`truncated`).
   */
  async verify(clinicId: string, given?: ExportedCheckpoint): Promise<ChainReport> {
    const checkpoint: (ExportedCheckpoint & { id?: string }) | null = given ?? (await this.latestCheckpoint(clinicId));
    const against: CheckpointRef | null = checkpoint
      ? { clinicSeq: checkpoint.clinicSeq, headHash: checkpoint.headHash, createdAt: checkpoint.createdAt, publicKey: checkpoint.publicKey, ...(checkpoint.id ? { id: checkpoint.id } : {}) }
      : null;
    let cpSeq: bigint | null = null;
    if (checkpoint) {
      try {
        cpSeq = BigInt(checkpoint.clinicSeq);
      } catch {
        cpSeq = null;
      }
    }
    let hashAtCheckpoint: string | null = null;
    let prevHash = GENESIS;
    let expectedSeq = 1n;
    let count = 0;
    let redacted = 0;
    let head: { seq: string; hash: string } | null = null;
    const pageSize = 1000;
    const withCheckpoint = (r: ChainReport): ChainReport => ({ ...r, redactedPayloads: redacted, checkpoint: against });
    // A payload may be blank only because an erasure (whose chained event lists it) blanked it.
    const claimed = new Set<string>(
      (
        await this.db.query(
          `SELECT jsonb_array_elements_text(coalesce(data->'redactedSeqs', '[]'::jsonb)) AS seq FROM audit_events WHERE clinic_id = $1 AND action = 'patient.erased'`,
          [clinicId],
        )
      ).map((r: { seq: string }) => r.seq),
    );
    for (;;) {
      const rows: Array<Record<string, any>> = await this.db.query(
        `SELECT e.clinic_seq, e.occurred_at, e.actor_type, e.actor_id, e.action, e.entity_type, e.entity_id, e.data, e.prev_hash, e.hash,
                e.payload_digest, p.event_seq AS p_seq, p.digest AS p_digest, p.payload AS p_payload, p.redacted_at AS p_redacted_at
           FROM audit_events e LEFT JOIN audit_event_payloads p ON p.event_seq = e.seq
          WHERE e.clinic_id = $1 AND e.clinic_seq >= $2 ORDER BY e.clinic_seq LIMIT $3`,
        [clinicId, String(expectedSeq), pageSize],
      );
      for (const row of rows) {
        const seq = BigInt(row.clinic_seq);
        if (seq !== expectedSeq) return withCheckpoint(broken(count, head, String(expectedSeq), 'missing'));
        if (row.prev_hash !== prevHash) return withCheckpoint(broken(count, head, String(seq), 'out of order'));
        const recomputed = chainHash(prevHash, {
          clinicId,
          clinicSeq: String(seq),
          occurredAt: new Date(row.occurred_at).toISOString(),
          actorType: row.actor_type,
          actorId: row.actor_id,
          action: row.action,
          entityType: row.entity_type,
          entityId: row.entity_id,
          data: row.data,
          ...(row.payload_digest !== null ? { payloadDigest: row.payload_digest } : {}),
        });
        if (recomputed !== row.hash) return withCheckpoint(broken(count, head, String(seq), 'altered'));
        const payloadProblem = payloadCheck(row);
        if (payloadProblem) return withCheckpoint(broken(count, head, String(seq), payloadProblem));
        if (row.p_redacted_at && !claimed.has(String(seq))) return withCheckpoint(broken(count, head, String(seq), 'payload redacted without an erasure'));
        if (row.p_redacted_at) redacted++;
        if (seq === cpSeq) hashAtCheckpoint = row.hash;
        prevHash = row.hash;
        head = { seq: String(seq), hash: row.hash };
        expectedSeq = seq + 1n;
        count++;
      }
      if (rows.length < pageSize) break;
    }
    if (checkpoint) {
      if (checkpoint.clinicId !== clinicId) return withCheckpoint(broken(count, head, undefined, 'checkpoint is for another clinic'));
      if (cpSeq === null || cpSeq < 0n || !checkpointSignatureValid(checkpoint)) {
        return withCheckpoint(broken(count, head, undefined, 'checkpoint signature invalid'));
      }
      const headSeq = head ? BigInt(head.seq) : 0n;
      if (headSeq < cpSeq) return withCheckpoint(broken(count, head, String(headSeq + 1n), 'truncated'));
      const expected = cpSeq === 0n ? GENESIS : hashAtCheckpoint;
      if (cpSeq > 0n && expected !== checkpoint.headHash) {
        // The chain is consistent in itself but is not the one that was signed: rewritten from here or earlier.
        return withCheckpoint(broken(count, head, String(cpSeq), 'checkpoint mismatch'));
      }
    }
    return withCheckpoint({ ok: true, count, headSeq: head?.seq ?? null, headHash: head?.hash ?? null });
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

function broken(count: number, head: { seq: string; hash: string } | null, at: string | undefined, reason: string): ChainReport {
  return { ok: false, count, headSeq: head?.seq ?? null, headHash: head?.hash ?? null, ...(at ? { brokenAt: at } : {}), reason };
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

export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
