import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { PeriodicPass } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Actor, AuditService, ChainReport, checkpointFromRow, SYSTEM } from './audit.service';
import { configuredSigningKey, ExportedCheckpoint, resolveSigningKey, signCheckpoint, SigningKey } from './signing-key';

export type StoredCheckpoint = ExportedCheckpoint & { id: string };

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
   * The chain checked against a signed checkpoint whose signer is trusted: the `trustedKey` given
   * (an auditor's copy of the public key), else this service's own key. A stored checkpoint
   * signed by any other key fails: someone with database access could cut off the newest
   * events and sign a new checkpoint of their own. After a key rotation, make a checkpoint at
   * once (POST /v1/audit-events/checkpoints) so the newest one is signed by the new key. With
   * no key known (no AUDIT_SIGNING_KEY, nothing given) trust is reported as null, not judged.
   */
  async verifyTrusted(clinicId: string, opts: { checkpoint?: ExportedCheckpoint; trustedKey?: string } = {}): Promise<ChainReport & { checkpointSignedByTrustedKey: boolean | null }> {
    const report = await this.audit.verify(clinicId, opts.checkpoint);
    const trustedKey = opts.trustedKey ?? (this.key ?? configuredSigningKey(this.config))?.publicKeyPem;
    if (!report.checkpoint || !trustedKey) return { ...report, checkpointSignedByTrustedKey: null };
    const trusted = sameKey(trustedKey, report.checkpoint.publicKey);
    if (!trusted && report.ok) return { ...report, ok: false, reason: 'checkpoint not signed by a trusted key', checkpointSignedByTrustedKey: false };
    return { ...report, checkpointSignedByTrustedKey: trusted };
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
    return this.db.transaction(async (m) => {
      // The chain's own lock (its head row, as AuditService.flush takes it): the head cannot move until COMMIT.
      const head = await this.audit.lockChain(m, clinicId);
      const signed = signCheckpoint(
        { clinicId, clinicSeq: head.seq, headHash: head.hash, createdAt: this.clock.now().toISOString() },
        this.signingKey(),
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

  async list(clinicId: string, q: { limit: number; offset: number }): Promise<{ items: StoredCheckpoint[]; total: number }> {
    const rows = await this.db.query(
      `SELECT id, clinic_id, clinic_seq, head_hash, created_at, signature, public_key FROM audit_checkpoints
        WHERE clinic_id = $1 ORDER BY created_at DESC, clinic_seq DESC LIMIT $2 OFFSET $3`,
      [clinicId, q.limit, q.offset],
    );
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM audit_checkpoints WHERE clinic_id = $1`, [clinicId]);
    return { items: rows.map(checkpointFromRow), total };
  }

  /**
   * The scheduled pass: a checkpoint for each clinic whose chain has moved since its last one.
   * A checkpoint's own event does not count as a move, or every pass would make another.
   */
  async checkpointMovedClinics(): Promise<StoredCheckpoint[]> {
    const clinics: Array<{ id: string }> = await this.db.query(`
      SELECT c.id FROM clinics c
       WHERE EXISTS (
         SELECT 1 FROM audit_events e
          WHERE e.clinic_id = c.id
            AND e.action <> 'audit.checkpoint_created'
            AND e.clinic_seq > coalesce((SELECT max(k.clinic_seq) FROM audit_checkpoints k WHERE k.clinic_id = c.id), 0))
       ORDER BY c.id`);
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
