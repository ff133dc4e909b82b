import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { ActorType, AuditEvent } from './audit-event.entity';
import { canonicalJson } from './canonical-json';

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
}

const GENESIS = '0'.repeat(64);

export interface ChainReport {
  ok: boolean;
  count: number;
  headSeq: string | null;
  headHash: string | null;
  brokenAt?: string;
  reason?: string;
}

/** The one place that writes audit events: a hash chain per clinic, append-only in the database. */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Must be called inside the transaction that makes the change it records. */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`audit ${entry.action}: must be recorded inside the change's transaction`);
    }
    // One writer per clinic chain at a time, held until the transaction ends.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(coalesce($1::text, 'system'), 42))`, [
      entry.clinicId,
    ]);
    const [last] = await manager.query(
      `SELECT clinic_seq, hash FROM audit_events WHERE clinic_id IS NOT DISTINCT FROM $1 ORDER BY clinic_seq DESC LIMIT 1`,
      [entry.clinicId],
    );
    const clinicSeq = last ? String(BigInt(last.clinic_seq) + 1n) : '1';
    const prevHash: string = last ? last.hash : GENESIS;
    const occurredAt = this.clock.now();
    const event = {
      clinicId: entry.clinicId,
      clinicSeq,
      occurredAt: occurredAt.toISOString(),
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      data: entry.data ?? {},
    };
    const hash = chainHash(prevHash, event);
    await manager.query(
      `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        event.clinicId,
        clinicSeq,
        occurredAt,
        event.actorType,
        event.actorId,
        event.action,
        event.entityType,
        event.entityId,
        JSON.stringify(event.data),
        prevHash,
        hash,
      ],
    );
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

  /** Walks the clinic's chain and recomputes every hash. */
  async verify(clinicId: string): Promise<ChainReport> {
    let prevHash = GENESIS;
    let expectedSeq = 1n;
    let count = 0;
    let head: { seq: string; hash: string } | null = null;
    const pageSize = 1000;
    for (;;) {
      const rows: Array<Record<string, any>> = await this.db.query(
        `SELECT clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash
           FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2 ORDER BY clinic_seq LIMIT $3`,
        [clinicId, String(expectedSeq), pageSize],
      );
      for (const row of rows) {
        const seq = BigInt(row.clinic_seq);
        if (seq !== expectedSeq) return broken(count, head, String(expectedSeq), 'missing');
        if (row.prev_hash !== prevHash) return broken(count, head, String(seq), 'out of order');
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
        if (recomputed !== row.hash) return broken(count, head, String(seq), 'altered');
        prevHash = row.hash;
        head = { seq: String(seq), hash: row.hash };
        expectedSeq = seq + 1n;
        count++;
      }
      if (rows.length < pageSize) break;
    }
    return { ok: true, count, headSeq: head?.seq ?? null, headHash: head?.hash ?? null };
  }
}

function broken(count: number, head: { seq: string; hash: string } | null, at: string, reason: string): ChainReport {
  return { ok: false, count, headSeq: head?.seq ?? null, headHash: head?.hash ?? null, brokenAt: at, reason };
}

export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
