import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';

export interface Window {
  /** Counted events allowed in one window. */
  limit: number;
  windowMs: number;
}

export interface Hit {
  count: number;
  /** Whether this event is within the limit (and not blocked). */
  allowed: boolean;
  /** When the caller may try again; 0 when allowed. */
  retryAfterMs: number;
}

export interface Delay {
  /** Failures that cost nothing before the delay starts. */
  free: number;
  baseMs: number;
  maxMs: number;
  /** How long failures are remembered after the last one. */
  windowMs: number;
}

interface Row {
  count: number;
  window_ends_at: Date;
  blocked_until: Date | null;
}

/** Prune expired rows once in this many writes per instance: no timer, no unbounded table. */
const PRUNE_EVERY = 200;

/**
 * Counters in PostgreSQL shared by every instance, one row per bucket. Fixed windows (a row
 * restarts its count when its window has passed) and blocks (an exponential delay after repeated
 * failures). Time is the injected Clock's, so tests move it.
 */
@Injectable()
export class RateLimitStore {
  private writes = 0;
  /** Hits waiting for their bucket's write, per bucket; a bucket is in the map while one is being written. */
  private readonly hits = new Map<string, Array<{ window: Window; resolve: (hit: Hit) => void; reject: (err: unknown) => void }>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one event in the bucket's window and says whether it is within the limit. Hits on one
   * bucket that arrive while its previous write is in flight are counted together in the next
   * write (one statement adds them all), in arrival order: a busy address (Twilio's webhooks)
   * costs one upsert per round trip instead of a queue of row locks and commits on one row.
   */
  hit(bucket: string, w: Window): Promise<Hit> {
    return new Promise<Hit>((resolve, reject) => {
      const waiting = this.hits.get(bucket);
      const me = { window: w, resolve, reject };
      if (waiting) {
        waiting.push(me);
        return;
      }
      this.hits.set(bucket, [me]);
      void this.countHits(bucket);
    });
  }

  /** Writes the bucket's waiting hits, a batch per round trip, until none is left. */
  private async countHits(bucket: string): Promise<void> {
    const queue = this.hits.get(bucket)!;
    try {
      while (queue.length) {
        const batch = queue.splice(0, queue.length);
        try {
          const now = this.clock.now();
          // One window per bucket: its policy's (every hit on a bucket names the same one).
          const { windowMs } = batch[0].window;
          const rows: Row[] = await this.db.query(
            `INSERT INTO rate_limits AS r (bucket, count, window_ends_at, expires_at)
             VALUES ($1, $4, $2::timestamptz + $3 * interval '1 millisecond', $2::timestamptz + $3 * interval '1 millisecond')
             ON CONFLICT (bucket) DO UPDATE SET
               count = CASE WHEN r.window_ends_at <= $2 THEN $4 ELSE r.count + $4 END,
               window_ends_at = CASE WHEN r.window_ends_at <= $2 THEN EXCLUDED.window_ends_at ELSE r.window_ends_at END,
               expires_at = greatest(CASE WHEN r.window_ends_at <= $2 THEN EXCLUDED.window_ends_at ELSE r.window_ends_at END, r.blocked_until)
             RETURNING count, window_ends_at, blocked_until`,
            [bucket, now, windowMs, batch.length],
          );
          const [row] = rows;
          const blocked = this.blockedFor(row, now);
          batch.forEach((h, i) => {
            // The batch's hits were counted in arrival order: the i-th is count − (batch − 1 − i).
            const count = row.count - (batch.length - 1 - i);
            if (blocked > 0) return h.resolve({ count, allowed: false, retryAfterMs: blocked });
            const allowed = count <= h.window.limit;
            h.resolve({ count, allowed, retryAfterMs: allowed ? 0 : Math.max(1, row.window_ends_at.getTime() - now.getTime()) });
          });
          for (let i = 0; i < batch.length; i++) await this.maybePrune(now);
        } catch (err) {
          for (const h of batch) h.reject(err);
        }
      }
    } finally {
      this.hits.delete(bucket);
    }
  }

  /** How long the bucket is closed: by a block, or by a window already at its limit. 0 when open. */
  async closedFor(bucket: string, limit?: number): Promise<number> {
    const now = this.clock.now();
    const [row]: Row[] = await this.db.query(`SELECT count, window_ends_at, blocked_until FROM rate_limits WHERE bucket = $1`, [bucket]);
    if (!row) return 0;
    const blocked = this.blockedFor(row, now);
    if (blocked > 0) return blocked;
    if (limit !== undefined && row.window_ends_at > now && row.count >= limit) return row.window_ends_at.getTime() - now.getTime();
    return 0;
  }

  /**
   * Counts a failure and closes the bucket for an exponentially growing time once the free ones
   * are spent: base, 2×base, 4×base, … up to max. Returns the delay now in force (0: none yet).
   */
  async fail(bucket: string, d: Delay): Promise<number> {
    const now = this.clock.now();
    const [row]: Row[] = await this.db.query(
      `INSERT INTO rate_limits AS r (bucket, count, window_ends_at, expires_at)
       VALUES ($1, 1, $2::timestamptz + $3 * interval '1 millisecond', $2::timestamptz + $3 * interval '1 millisecond')
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN r.window_ends_at <= $2 THEN 1 ELSE r.count + 1 END,
         window_ends_at = EXCLUDED.window_ends_at,
         expires_at = greatest(EXCLUDED.window_ends_at, r.blocked_until)
       RETURNING count, window_ends_at, blocked_until`,
      [bucket, now, d.windowMs],
    );
    const over = row.count - d.free;
    if (over <= 0) {
      await this.maybePrune(now);
      return 0;
    }
    const delay = Math.min(d.maxMs, d.baseMs * 2 ** Math.min(over - 1, 40));
    const until = new Date(now.getTime() + delay);
    await this.db.query(
      `UPDATE rate_limits SET blocked_until = $2, expires_at = greatest(expires_at, $2) WHERE bucket = $1`,
      [bucket, until],
    );
    await this.maybePrune(now);
    return delay;
  }

  /** Forgets the bucket (e.g. the account and address after a successful sign-in). */
  async reset(bucket: string): Promise<void> {
    await this.db.query(`DELETE FROM rate_limits WHERE bucket = $1`, [bucket]);
  }

  /** Deletes a batch of rows that no longer mean anything; cheap through the expires_at index. */
  async prune(now: Date = this.clock.now()): Promise<number> {
    // DELETE answers [rows, count].
    const res: unknown = await this.db.query(
      `DELETE FROM rate_limits WHERE bucket IN (SELECT bucket FROM rate_limits WHERE expires_at < $1 LIMIT 1000)`,
      [now],
    );
    return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
  }

  private blockedFor(row: Row, now: Date): number {
    return row.blocked_until && row.blocked_until > now ? row.blocked_until.getTime() - now.getTime() : 0;
  }

  private async maybePrune(now: Date): Promise<void> {
    if (++this.writes % PRUNE_EVERY === 0) await this.prune(now);
  }
}
