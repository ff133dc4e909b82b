import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryOne } from '../database/query-rows';

/**
 * What the operator's gauges read: counts and ages across all clinics, never a clinic's rows.
 * A read model over other features' tables (check-ins, messages, flags, audit), read-only and
 * by indexed queries, so a scrape costs the same however long the history.
 */
@Injectable()
export class OperationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Check-ins due by `now` and not yet sent; those due for longer than `overdueAfterSeconds`; the oldest due time. */
  async checkInsDue(now: Date, overdueAfterSeconds: number): Promise<{ due: number; overdue: number; oldest: Date | null }> {
    const row = await queryOne<{ due: number; overdue: number; oldest: Date | null }>(
      this.db,
      `SELECT count(*)::int AS due, count(*) FILTER (WHERE next_attempt_at <= $1::timestamptz - make_interval(secs => $2))::int AS overdue, min(next_attempt_at) AS oldest
         FROM check_ins WHERE status IN ('scheduled', 'sending') AND next_attempt_at <= $1`,
      [now, overdueAfterSeconds],
    );
    return row ?? { due: 0, overdue: 0, oldest: null };
  }

  async messagesQueued(): Promise<number> {
    return (await queryOne<{ n: number }>(this.db, `SELECT count(*)::int AS n FROM messages WHERE status = 'queued'`))?.n ?? 0;
  }

  /** When the oldest open (unacknowledged) urgent flag was raised, if any. */
  async oldestOpenUrgentFlag(): Promise<Date | null> {
    return (await queryOne<{ oldest: Date | null }>(this.db, `SELECT min(created_at) AS oldest FROM flags WHERE status = 'open' AND priority = 'urgent'`))?.oldest ?? null;
  }

  /** The newest signed audit checkpoint of any clinic (each clinic's newest by its index). */
  async newestCheckpoint(): Promise<Date | null> {
    const row = await queryOne<{ newest: Date | null }>(
      this.db,
      `SELECT max(last.created_at) AS newest FROM clinics c
         CROSS JOIN LATERAL (SELECT created_at FROM audit_checkpoints k WHERE k.clinic_id = c.id ORDER BY created_at DESC LIMIT 1) last`,
    );
    return row?.newest ?? null;
  }

  /** The audit log's highest sequence number: every instance's appends, surviving restarts. */
  async auditEventsAppended(): Promise<number> {
    return Number((await queryOne<{ n: string }>(this.db, `SELECT coalesce(max(seq), 0)::bigint AS n FROM audit_events`))?.n ?? 0);
  }
}
