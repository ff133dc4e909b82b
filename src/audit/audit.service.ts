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
import { ActorType, AuditEvent } from './audit-event.entity';
import { canonicalJson } from './canonical-json';
import type { FieldChanges } from './field-changes';
import { checkpointSignatureValid, ExportedCheckpoint } from './signing-key';

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

export interface ChainReport {
  ok: boolean;
  count: number;
  headSeq: string | null;
  headHash: string | null;
  brokenAt?: string;
  /** altered, missing, out of order, truncated; or about the checkpoint: checkpoint signature invalid, checkpoint mismatch, checkpoint is for another clinic. */
  reason?: string;
  /** The checkpoint checked against (null: the clinic has none yet). */
  checkpoint?: CheckpointRef | null;
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
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(coalesce($1::text, 'system'), 42))`, [clinicId]);
      const [last] = await m.query(
        `SELECT clinic_seq, hash FROM audit_events WHERE clinic_id IS NOT DISTINCT FROM $1 ORDER BY clinic_seq DESC LIMIT 1`,
        [clinicId],
      );
      let seq = last ? BigInt(last.clinic_seq) : 0n;
      let prevHash: string = last ? last.hash : GENESIS;
      const values: unknown[] = [];
      const rows: string[] = [];
      for (const entry of byClinic.get(key)!) {
        seq += 1n;
        const event = {
          clinicId,
          clinicSeq: String(seq),
          occurredAt: entry.occurredAt.toISOString(),
          actorType: entry.actor.type,
          actorId: entry.actor.id,
          action: entry.action,
          entityType: entry.entityType,
          entityId: entry.entityId ?? null,
          data: entry.data ?? {},
        };
        const hash = chainHash(prevHash, event);
        const base = values.length;
        rows.push(`(${Array.from({ length: 11 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
        values.push(clinicId, event.clinicSeq, entry.occurredAt, event.actorType, event.actorId, event.action, event.entityType, event.entityId, JSON.stringify(event.data), prevHash, hash);
        prevHash = hash;
      }
      await m.query(
        `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash)
         VALUES ${rows.join(', ')}`,
        values,
      );
    }
  }

  async list(
    clinicId: string,
    q: { limit: number; offset: number; action?: string; entityId?: string; since?: Date },
  ): Promise<{ items: AuditEvent[]; total: number }> {
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
    const [items, total] = await qb.getManyAndCount();
    return { items, total };
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
    let head: { seq: string; hash: string } | null = null;
    const pageSize = 1000;
    const withCheckpoint = (r: ChainReport): ChainReport => ({ ...r, checkpoint: against });
    for (;;) {
      const rows: Array<Record<string, any>> = await this.db.query(
        `SELECT clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash
           FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2 ORDER BY clinic_seq LIMIT $3`,
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
        });
        if (recomputed !== row.hash) return withCheckpoint(broken(count, head, String(seq), 'altered'));
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

export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
