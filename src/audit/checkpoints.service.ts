import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { PeriodicService } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Actor, SYSTEM } from '../common/actor';
import type { ListedCheckpoint, StoredCheckpoint } from './audit-rows';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { eventHash, GENESIS } from './chain-hash';
import { ChainReport, ChainVerifier, VerifyOptions } from './chain-verifier.service';
import { configuredSigningKey, ExportedCheckpoint, resolveSigningKey, sameKey, signCheckpoint, SigningKey } from './signing-key';

export type { ListedCheckpoint, StoredCheckpoint } from './audit-rows';

const INTERVAL_NAME = 'audit-checkpoints';

/** Decides when a clinic's audit chain head is signed (on demand and on a schedule) and which key vouches for a verification. */
@Injectable()
export class AuditCheckpointsService extends PeriodicService<StoredCheckpoint[]> {
  private key?: SigningKey;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly verifier: ChainVerifier,
    private readonly repo: AuditRepository,
    scheduler: SchedulerRegistry,
  ) {
    super(INTERVAL_NAME, 'AuditCheckpoints', { scheduler, intervalMs: config.auditCheckpointIntervalMs });
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
    const report = await this.verifier.verify(clinicId, opts.checkpoint, { trustedKey, onProgress: opts.onProgress, signal: opts.signal, pageSize: opts.pageSize });
    const signedByTrusted = report.checkpoint && trustedKey ? sameKey(trustedKey, report.checkpoint.publicKey) : null;
    return { ...report, checkpointSignedByTrustedKey: signedByTrusted };
  }

  /** Resolved on first use, so commands that only verify need no key. */
  private signingKey(): SigningKey {
    this.key ??= resolveSigningKey(this.config, this.logger);
    return this.key;
  }

  override onApplicationBootstrap(): void {
    if (this.config.auditCheckpointIntervalMs <= 0) return;
    this.signingKey(); // at start, so a missing key is reported (or generated) now, not in an hour
    super.onApplicationBootstrap();
  }

  /** One scheduled pass: a checkpoint for every clinic whose chain moved since its last one. */
  tick(): Promise<StoredCheckpoint[]> {
    return this.pass.run(() => this.checkpointMovedClinics());
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
    const report = await this.verifier.verify(clinicId);
    if (!report.ok) {
      throw new ConflictException(`The audit chain fails verification (${report.reason}${report.brokenAt ? ` at ${report.brokenAt}` : ''}): no checkpoint is signed until it is investigated`);
    }
    return this.db.transaction(async (manager) => {
      // The chain's own lock (its head row, as AuditService.flush takes it): the head cannot move until COMMIT.
      const head = await this.repo.lockChainHead(manager, clinicId);
      const max = await this.repo.highestCheckpointSeq(manager, clinicId);
      if (max !== null && BigInt(max) > BigInt(head.seq)) {
        throw new ConflictException(`The audit chain's head (${head.seq}) is lower than an earlier checkpoint's (${max}): events were cut off; no checkpoint is signed`);
      }
      // What was appended since the verification above must extend the chain it verified, up to the head signed now.
      const since = await this.repo.eventsAfter(manager, clinicId, report.headSeq ?? '0');
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
      await this.repo.insertCheckpoint(manager, { id, ...signed });
      await this.audit.record(manager, {
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

  /** The clinic's checkpoints, newest first, each with who had it signed. */
  list(clinicId: string, q: { limit: number; offset: number }): Promise<{ items: ListedCheckpoint[]; total: number }> {
    return this.repo.listCheckpoints(clinicId, q.limit, q.offset);
  }

  /** One of the clinic's checkpoints, or null. */
  get(clinicId: string, id: string): Promise<StoredCheckpoint | null> {
    return this.repo.checkpoint(clinicId, id);
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
    const clinics = await this.repo.clinicsWithMovedChains();
    const made: StoredCheckpoint[] = [];
    for (const id of clinics) {
      try {
        made.push(await this.create(id, SYSTEM));
      } catch (err) {
        this.logger.error(`Checkpoint of clinic ${id} failed: ${(err as Error)?.stack ?? err}`);
      }
    }
    return made;
  }
}
