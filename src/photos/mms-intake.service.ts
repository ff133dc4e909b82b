/** Decides when a patient's MMS media are fetched into the photo store: after the webhook has answered, with retries. */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock';
import { PeriodicService } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MAX_PHOTOS, PhotoRefused } from './image';
import { MmsMediaFetch } from './mms-media-fetch.entity';
import { MmsIntakeRepository } from './mms-intake.repository';
import { MediaRefused, MmsMedia, PhotosService } from './photos.service';

/** Waits before the 2nd, 3rd, … attempt at a medium Twilio did not give (network, 5xx, 429); after the last, it is refused. */
export const MMS_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000];

/** Media claimed per round; each round's fetches run side by side. */
const ROUND = 4;

export interface MmsIntakeReport {
  stored: number;
  retried: number;
  refused: number;
}

/**
 * MMS media as a queued job (issue 9): the webhook queues each medium (`queue`, in the
 * transaction that stores its text, so a retried webhook queues nothing twice) and answers
 * Twilio without fetching anything; then this service fetches them through the lease queue
 * (src/database/lease-queue.ts): claimed with SKIP LOCKED by whichever instance gets there
 * first, fetched outside any transaction, stored through the photo store in one transaction per
 * medium that also ends the lease (so a medium is stored once even if a lease lapsed). A medium
 * Twilio does not give is tried again later (MMS_RETRY_DELAYS_MS), then refused; one that can
 * never be stored (not Twilio's address, not a picture, too big) is refused at once. A refusal
 * is on the record (photos.refused) and never costs the patient their answer.
 *
 * Runs after each webhook that queued media (`kick`), and on the dispatcher's interval for retries.
 */
@Injectable()
export class MmsIntake extends PeriodicService<MmsIntakeReport> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: MmsIntakeRepository,
    private readonly photos: PhotosService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    scheduler: SchedulerRegistry,
  ) {
    super('mms-intake', 'Photos', { scheduler, intervalMs: config.dispatchIntervalMs });
    this.intervalMs = config.dispatchIntervalMs;
  }

  private readonly intervalMs: number;

  /**
   * Queues an MMS's media for `owner` (its text, and the answer they join if any) in the
   * caller's transaction; media beyond MAX_PHOTOS are refused now, on the record. The count queued.
   */
  async queue(tx: EntityManager, owner: { clinicId: string; patientId: string; messageId: string; responseId: string | null; actor: Actor }, media: MmsMedia[]): Promise<number> {
    const kept = media.slice(0, MAX_PHOTOS);
    const over = media.slice(MAX_PHOTOS).map((_, i) => `media ${MAX_PHOTOS + i + 1}: at most ${MAX_PHOTOS} photos are kept with an answer`);
    if (over.length) await this.refused(tx, owner, over);
    const ids = await this.repo.insert(tx, owner, kept.map((m, i) => ({ position: i + 1, url: m.url, contentType: m.contentType ?? null })), this.clock.now());
    return ids.length;
  }

  /**
   * After the webhook's transaction commits: fetch now, in the background (the webhook does not
   * wait). Not when this instance runs no background work (interval 0: another instance, or a test, runs `tick`).
   */
  kick(): void {
    if (this.intervalMs <= 0) return;
    void this.tick().catch((err: unknown) => this.logger.error(`MMS intake failed: ${err instanceof Error ? err.stack : String(err)}`));
  }

  /** Rounds until nothing is due; a call while one is under way joins it. */
  tick(): Promise<MmsIntakeReport> {
    return this.pass.run(async () => {
      const report: MmsIntakeReport = { stored: 0, retried: 0, refused: 0 };
      while (!this.stopping) {
        const claimed = await this.repo.claim(this.db.manager, this.clock.now(), ROUND);
        if (!claimed.length) return report;
        const outcomes = await Promise.all(claimed.map((m) => this.take(m)));
        for (const o of outcomes) if (o) report[o]++;
      }
      return report;
    });
  }

  /** Shutdown: the round under way finishes (its leases end), no further round is claimed; the rest waits for another instance. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  private stopping = false;

  /** One claimed medium: fetched, then stored (or tried again later, or refused) with its lease ended. */
  private async take(m: MmsMediaFetch): Promise<keyof MmsIntakeReport | null> {
    const lease = { id: m.id, holder: m.attempts };
    const owner = { clinicId: m.clinicId, patientId: m.patientId, messageId: m.messageId, responseId: m.responseId, actor: { type: 'patient', id: m.patientId } as Actor };
    let failure: { permanent: boolean; why: string } | null = null;
    let photo = null;
    try {
      photo = await this.photos.fetchMedium(m.url);
    } catch (err) {
      const permanent = err instanceof PhotoRefused || err instanceof MediaRefused;
      failure = { permanent, why: permanent ? (err as Error).message : `could not be fetched (${(err as Error)?.message ?? err})` };
    }
    const now = this.clock.now();
    return this.photos.withUploads((written) =>
      this.db.transaction(async (tx) => {
        if (photo) {
          if (!(await this.repo.queue.settle(tx, lease, { status: 'stored', lastError: null, updatedAt: now }))) return null;
          await this.photos.attach(tx, { ...owner, source: 'mms', firstPosition: m.position }, [photo], written);
          return 'stored';
        }
        const retryIn = MMS_RETRY_DELAYS_MS[m.attempts - 1];
        if (!failure!.permanent && retryIn !== undefined) {
          const settled = await this.repo.queue.settle(tx, lease, { status: 'waiting', lastError: failure!.why, nextAttemptAt: new Date(now.getTime() + retryIn), updatedAt: now });
          if (settled) this.logger.warn(`MMS medium ${m.id}: ${failure!.why}; trying again in ${retryIn / 1000} s`);
          return settled ? 'retried' : null;
        }
        if (!(await this.repo.queue.settle(tx, lease, { status: 'refused', lastError: failure!.why, updatedAt: now }))) return null;
        await this.refused(tx, owner, [`media ${m.position}: ${failure!.why}`]);
        return 'refused';
      }),
    );
  }

  private async refused(tx: EntityManager, owner: { clinicId: string; messageId: string; actor: Actor }, reasons: string[]): Promise<void> {
    this.logger.warn(`Inbound MMS ${owner.messageId}: ${reasons.length} media refused`);
    await this.audit.record(tx, { clinicId: owner.clinicId, actor: owner.actor, action: 'photos.refused', entityType: 'message', entityId: owner.messageId, data: { reasons } });
  }

}
