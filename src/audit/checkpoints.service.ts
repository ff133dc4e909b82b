import { ConflictException, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { PeriodicPass } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuditService, ChainReport, checkpointFromRow, eventHash, VerifyOptions } from './audit.service';
import { Actor, SYSTEM } from '../common/actor';

const GENESIS = '0'.repeat(64);
import { configuredSigningKey, ExportedCheckpoint, resolveSigningKey, signCheckpoint, SigningKey } from './signing-key';

export type StoredCheckpoint = ExportedCheckpoint & { id: string };
/** Who had it signed: a staff member (on demand) or the system (the scheduled pass); null: its event is not found. */
export type ListedCheckpoint = StoredCheckpoint & { createdBy: { actorType: string; actorId: string | null; name: string | null } | null };

const INTERVAL_NAME = 'audit-checkpoints';

/** Signed checkpoints of each clinic's audit chain: on demand and on a schedule. */
@Injectable()
export class AuditCheckpointsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private key?: SigningKey;
  private readonly pass = new PeriodicPass<StoredCheckpoint[]>(INTERVAL_NAME, this.logger);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  /** Whether a checkpoint was signed by this service's key (a database writer could sign with their own). */
  signedByOurKey(publicKeyPem: string | undefined): boolean {
    return sameKey(this.signingKey().publicKeyPem, publicKeyPem);
  }

  /**
   * The chain checked against every stored checkpoint (and `checkpoint`, an exported one, when
   * given) whose signer is trusted: the `trustedKey` given (an auditor's copy of the public key),
   * else this service's own key (AUDIT_SIGNING_KEY, or the embedded database's key file).
   * Checkpoints signed by any other key vouch for nothing, and the newest one signed so fails:
   * someone with database access could cut off the newest events and sign a checkpoint of their
   * own. After a key rotation, make a checkpoint at once (POST /v1/audit-events/checkpoints) so
   * the newest one is signed by the new key. With no key known, the answer is
   * `unverifiable_truncation` (not ok): a cut-off end cannot be ruled out.
   */
  async verifyTrusted(
    clinicId: string,
    opts: { checkpoint?: ExportedCheckpoint; trustedKey?: string } & Pick<VerifyOptions, 'onProgress' | 'signal' | 'pageSize'> = {},
  ): Promise<ChainReport & { checkpointSignedByTrustedKey: boolean | null }> {
    const trustedKey = opts.trustedKey ?? (this.key ?? configuredSigningKey(this.config))?.publicKeyPem ?? null;
    const report = await this.audit.verify(clinicId, opts.checkpoint, { trustedKey, onProgress: opts.onProgress, signal: opts.signal, pageSize: opts.pageSize });
    const signedByTrusted = report.checkpoint && trustedKey ? sameKey(trustedKey, report.checkpoint.publicKey) : null;
    return { ...report, checkpointSignedByTrustedKey: signedByTrusted };
  }

  /** Resolved on first use, so commands that only verify need no key. */
  private signingKey(): SigningKey {
    this.key ??= resolveSigningKey(this.config, this.logger);
    return this.key;
  }

  onApplicationBootstrap(): void {
    if (this.config.auditCheckpointIntervalMs <= 0) return;
    this.signingKey(); // at start, so a missing key is reported (or generated) now, not in an hour
    this.pass.schedule(this.scheduler, this.config.auditCheckpointIntervalMs, () => this.pass.run(() => this.checkpointMovedClinics()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pass.stop(this.scheduler);
  }

  /**
   * Signs the clinic's chain head now. The `audit.checkpoint_created` event is written in the
   * same transaction and comes after the head it signs, so the checkpoint covers the chain up
   * to (not including) its own event.
   */
  async create(clinicId: string, actor: Actor): Promise<StoredCheckpoint> {
    const key = this.signingKey();
    // Never sign a chain that fails verification: a signature would lend it credit. Checked
    // outside the chain lock (it walks the whole chain); every checkpoint with a valid signature
    // counts here, so the old key's checkpoints still bind after a rotation.
    const report = await this.audit.verify(clinicId);
    if (!report.ok) {
      throw new ConflictException(`The audit chain fails verification (${report.reason}${report.brokenAt ? ` at ${report.brokenAt}` : ''}): no checkpoint is signed until it is investigated`);
    }
    return this.db.transaction(async (m) => {
      // The chain's own lock (its head row, as AuditService.flush takes it): the head cannot move until COMMIT.
      const head = await this.audit.lockChain(m, clinicId);
      const [{ max }] = await m.query(`SELECT max(clinic_seq)::text AS max FROM audit_checkpoints WHERE clinic_id = $1`, [clinicId]);
      if (max !== null && BigInt(max) > BigInt(head.seq)) {
        throw new ConflictException(`The audit chain's head (${head.seq}) is lower than an earlier checkpoint's (${max}): events were cut off; no checkpoint is signed`);
      }
      // What was appended since the verification above must extend the chain it verified, up to the head signed now.
      const since: Array<Record<string, any>> = await m.query(
        `SELECT clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest
           FROM audit_events WHERE clinic_id = $1 AND clinic_seq > $2 ORDER BY clinic_id, clinic_seq`,
        [clinicId, report.headSeq ?? '0'],
      );
      let seq = BigInt(report.headSeq ?? '0');
      let prev = report.headHash ?? GENESIS;
      for (const row of since) {
        if (BigInt(row.clinic_seq) !== seq + 1n || row.prev_hash !== prev || eventHash(clinicId, prev, row) !== row.hash) {
          throw new ConflictException(`The audit chain fails verification at ${seq + 1n} (changed while being checked): no checkpoint is signed`);
        }
        seq += 1n;
        prev = row.hash;
      }
      if (String(seq) !== head.seq || prev !== head.hash) {
        throw new ConflictException(`The audit chain's recorded head (${head.seq}) is not its newest event (${seq}): no checkpoint is signed`);
      }
      const signed = signCheckpoint(
        { clinicId, clinicSeq: head.seq, headHash: head.hash, createdAt: this.clock.now().toISOString() },
        key,
      );
      const id = randomUUID();
      await m.query(
        `INSERT INTO audit_checkpoints (id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, clinicId, signed.clinicSeq, signed.headHash, signed.createdAt, signed.signature, signed.publicKey],
      );
      await this.audit.record(m, {
        clinicId,
        actor,
        action: 'audit.checkpoint_created',
        entityType: 'audit_checkpoint',
        entityId: id,
        data: { clinicSeq: signed.clinicSeq, headHash: signed.headHash },
      });
      return { id, ...signed };
    });
  }

  async list(clinicId: string, q: { limit: number; offset: number }): Promise<{ items: ListedCheckpoint[]; total: number }> {
    // Who asked for it: the actor of its own `audit.checkpoint_created` event (system: the scheduled pass).
    const rows = await this.db.query(
      `SELECT k.id, k.clinic_id, k.clinic_seq, k.head_hash, k.created_at, k.signature, k.public_key,
              e.actor_type, e.actor_id, s.name AS actor_name
         FROM audit_checkpoints k
         LEFT JOIN audit_events e ON e.clinic_id = k.clinic_id AND e.action = 'audit.checkpoint_created' AND e.entity_id = k.id::text
         LEFT JOIN staff_users s ON e.actor_type = 'staff' AND s.clinic_id = k.clinic_id AND s.id::text = e.actor_id
        WHERE k.clinic_id = $1 ORDER BY k.created_at DESC, k.clinic_seq DESC LIMIT $2 OFFSET $3`,
      [clinicId, q.limit, q.offset],
    );
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM audit_checkpoints WHERE clinic_id = $1`, [clinicId]);
    return {
      items: rows.map((r: Record<string, any>) => ({
        ...checkpointFromRow(r),
        createdBy: r.actor_type ? { actorType: r.actor_type, actorId: r.actor_id ?? null, name: r.actor_name ?? null } : null,
      })),
      total,
    };
  }

  /** One of the clinic's checkpoints, or null. */
  async get(clinicId: string, id: string): Promise<StoredCheckpoint | null> {
    const [row] = await this.db.query(
      `SELECT id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key FROM audit_checkpoints WHERE clinic_id = $1 AND id = $2`,
      [clinicId, id],
    );
    return row ? checkpointFromRow(row) : null;
  }

  /** The public key this service signs with (PEM), or null when none is configured yet. */
  publicKey(): string | null {
    try {
      return this.signingKey().publicKeyPem;
    } catch {
      return null;
    }
  }

  /**
   * The scheduled pass: a checkpoint for each clinic whose chain has moved since its last one.
   * A checkpoint's own event does not count as a move, or every pass would make another.
   */
  async checkpointMovedClinics(): Promise<StoredCheckpoint[]> {
    // From the head table (one row per clinic), not a scan of the events. A head below the last
    // checkpoint is selected too: signing is then refused and the refusal logged.
    const clinics: Array<{ id: string }> = await this.db.query(`
      SELECT h.clinic_id AS id FROM audit_chain_heads h
        LEFT JOIN LATERAL (
          SELECT k.clinic_seq FROM audit_checkpoints k WHERE k.clinic_id = h.clinic_id ORDER BY k.created_at DESC, k.clinic_seq DESC LIMIT 1) k ON true
       WHERE h.clinic_id IS NOT NULL AND h.seq > 0
         AND (k.clinic_seq IS NULL OR h.seq < k.clinic_seq OR h.seq > k.clinic_seq + 1
              OR (h.seq = k.clinic_seq + 1 AND NOT EXISTS (
                    SELECT 1 FROM audit_events e WHERE e.clinic_id = h.clinic_id AND e.clinic_seq = h.seq AND e.action = 'audit.checkpoint_created')))
       ORDER BY h.clinic_id`);
    const made: StoredCheckpoint[] = [];
    for (const { id } of clinics) {
      try {
        made.push(await this.create(id, SYSTEM));
      } catch (err) {
        this.logger.error(`Checkpoint of clinic ${id} failed: ${(err as Error)?.stack ?? err}`);
      }
    }
    return made;
  }
}

/** The self-contained export: verifiable with Node's crypto.verify and nothing else. */
export function exportCheckpoint(cp: ExportedCheckpoint): ExportedCheckpoint {
  return { clinicId: cp.clinicId, clinicSeq: cp.clinicSeq, headHash: cp.headHash, createdAt: cp.createdAt, signature: cp.signature, publicKey: cp.publicKey };
}

function sameKey(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.trim() === b.trim();
}
