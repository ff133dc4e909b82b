import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { Clock } from '../common/clock';
import { currentRequest } from '../common/request-context';
import type { Actor } from '../common/actor';
import type { NewEventRow } from './audit-rows';
import { AuditRepository } from './audit.repository';
import { chainHash, chainIdOf, payloadDigestOf } from './chain-hash';
import type { FieldChanges } from './field-changes';

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

/** What an event's redactable payload holds: the values, never in the chained `data`. */
export interface AuditPayload {
  changes?: FieldChanges;
  reason?: string;
}

function payloadOf(entry: AuditEntry): AuditPayload | null {
  const payload: AuditPayload = {};
  if (entry.changes && Object.keys(entry.changes).length) payload.changes = entry.changes;
  if (entry.reason !== undefined && entry.reason !== null) payload.reason = entry.reason;
  return Object.keys(payload).length ? payload : null;
}

/** An entry waiting for its transaction's commit, with its time and request taken when it was recorded. */
type PendingEntry = AuditEntry & { occurredAt: Date; requestId?: string };

/** A read waiting to be put on the record: resolved once the batch holding it has committed. */
interface WaitingAccess {
  entry: PendingEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** At most this many reads chained in one access transaction. */
const ACCESS_BATCH_MAX = 200;

/** Writes audit events: the one place that appends to a clinic's hash chain, append-only in the database. */
@Injectable()
export class AuditService implements EntitySubscriberInterface, OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, PendingEntry[]>();
  /** Reads waiting for their chain's access transaction, per chain; a chain is in the map while one is being written. */
  private readonly accessQueues = new Map<string, WaitingAccess[]>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly repo: AuditRepository,
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
          await this.db.transaction((manager) => this.flush(manager, batch.map((w) => w.entry)));
          for (const w of batch) w.resolve();
        } catch (err) {
          if (batch.length === 1) batch[0].reject(err);
          else {
            for (const w of batch) {
              await this.db.transaction((manager) => this.flush(manager, [w.entry])).then(w.resolve, w.reject);
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

  /**
   * Chains the entries, per clinic: under the chain's head lock, each event is hashed after the
   * previous one and all of them are inserted with the head moved past them in one statement.
   */
  private async flush(manager: EntityManager, entries: PendingEntry[]): Promise<void> {
    const byClinic = new Map<string, PendingEntry[]>();
    for (const e of entries) {
      const key = e.clinicId ?? '';
      byClinic.set(key, [...(byClinic.get(key) ?? []), e]);
    }
    // Chains are locked in one order everywhere, so two transactions never wait on each other in a cycle.
    for (const key of [...byClinic.keys()].sort()) {
      const clinicId = key || null;
      const head = await this.repo.lockChainHead(manager, clinicId);
      let seq = BigInt(head.seq);
      let prevHash: string = head.hash;
      const rows: NewEventRow[] = [];
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
        rows.push({ ...event, occurredAt: entry.occurredAt, payloadDigest, prevHash, hash });
        prevHash = hash;
      }
      const inserted = await this.repo.appendEvents(manager, clinicId, head, rows);
      const stored = inserted.flatMap((row) => {
        const p = payloads.get(String(row.clinic_seq));
        return p ? [{ eventSeq: row.seq, digest: p.digest, payload: p.payload }] : [];
      });
      await this.repo.insertPayloads(manager, clinicId, stored);
    }
  }
}

/** 1 in a transaction, 2+ inside savepoints; read before COMMIT/ROLLBACK lowers it (PostgresQueryRunner). */
function depthOf(runner: QueryRunner): number {
  return (runner as QueryRunner & { transactionDepth?: number }).transactionDepth ?? 1;
}
