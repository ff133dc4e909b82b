import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../database/query-rows';
import { ApiKey } from './api-key.entity';
import { StaffSession } from './staff-session.entity';

/** A session row under its entity's property names (never the token hash). */
const SESSION_COLUMNS = `id, staff_id AS "staffId", clinic_id AS "clinicId", csrf_token AS "csrfToken", created_at AS "createdAt",
  last_seen_at AS "lastSeenAt", ended_at AS "endedAt", end_reason AS "endReason"`;

/** An API key row under its entity's property names (never the key hash). */
const API_KEY_COLUMNS = `id, clinic_id AS "clinicId", name, key_prefix AS "keyPrefix", created_by AS "createdBy", created_at AS "createdAt", revoked_at AS "revokedAt"`;

/** The new session's fields (the id is the database's). */
export type NewSession = Omit<StaffSession, 'id'>;

/** The new key's fields (the id is the database's; it starts unrevoked). */
export type NewApiKey = Pick<ApiKey, 'clinicId' | 'name' | 'keyPrefix' | 'keyHash' | 'createdBy' | 'createdAt'>;

/**
 * Ends every open browser session of a staff member (but `keepSessionId`), in the caller's
 * transaction beside its audit event. Their bearer tokens are clinics' to revoke (the token
 * version is a column of staff_users): ClinicsService does it in the same transaction.
 * A function as well as a method: auth's StaffCredentials adapter, outside AuthModule, calls it.
 */
export async function endSessions(tx: EntityManager, clinicId: string, staffId: string, now: Date, reason: string, keepSessionId?: string): Promise<void> {
  await queryRows(
    tx,
    `UPDATE staff_sessions SET ended_at = $3, end_reason = $4 WHERE clinic_id = $1 AND staff_id = $2 AND ended_at IS NULL AND ($5::uuid IS NULL OR id <> $5::uuid)`,
    [clinicId, staffId, now, reason, keepSessionId ?? null],
  );
}

/**
 * Every query on `staff_sessions` and `api_keys`. Inserts, and reads and saves by key, through
 * TypeORM's repository API; the rest raw SQL with `$n` parameters and typed rows. Every query
 * takes the clinic id, except the lookups by a hashed secret marked below. Inside a transaction
 * pass its manager: a second pool connection can deadlock the pool.
 */
@Injectable()
export class AuthRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  insertSession(tx: EntityManager, row: NewSession): Promise<StaffSession> {
    const repo = tx.getRepository(StaffSession);
    return repo.save(repo.create(row));
  }

  /** Clinic-free on purpose: the cookie's session id (hashed) is an unguessable token and all the caller has. */
  sessionByTokenHash(tokenHash: Buffer): Promise<StaffSession | undefined> {
    return queryOne<StaffSession>(this.db, `SELECT ${SESSION_COLUMNS} FROM staff_sessions WHERE token_hash = $1 LIMIT 1`, [tokenHash]);
  }

  /** Ends the session if still open (`reason`: 'idle', 'signed out'). */
  async endSession(clinicId: string, id: string, now: Date, reason: string, tx: EntityManager = this.db.manager): Promise<void> {
    await queryRows(tx, `UPDATE staff_sessions SET ended_at = $3, end_reason = $4 WHERE clinic_id = $1 AND id = $2 AND ended_at IS NULL`, [clinicId, id, now, reason]);
  }

  /** Slides an open session's last_seen_at forward. */
  async touchSession(clinicId: string, id: string, now: Date): Promise<void> {
    await queryRows(this.db, `UPDATE staff_sessions SET last_seen_at = $3 WHERE clinic_id = $1 AND id = $2 AND ended_at IS NULL`, [clinicId, id, now]);
  }

  endSessions(tx: EntityManager, clinicId: string, staffId: string, now: Date, reason: string, keepSessionId?: string): Promise<void> {
    return endSessions(tx, clinicId, staffId, now, reason, keepSessionId);
  }

  /** Clinic-free on purpose: the key (hashed) is an unguessable token and says which clinic it is. */
  activeApiKeyByHash(keyHash: string): Promise<ApiKey | undefined> {
    return queryOne<ApiKey>(this.db, `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL LIMIT 1`, [keyHash]);
  }

  /** Whether the clinic has an unrevoked key of this name (case-insensitive). */
  async activeApiKeyNamed(tx: EntityManager, clinicId: string, name: string): Promise<boolean> {
    const row = await queryOne<{ id: string }>(tx, `SELECT id FROM api_keys WHERE clinic_id = $1 AND lower(name) = lower($2) AND revoked_at IS NULL LIMIT 1`, [clinicId, name]);
    return row !== undefined;
  }

  insertApiKey(tx: EntityManager, row: NewApiKey): Promise<ApiKey> {
    const repo = tx.getRepository(ApiKey);
    return repo.save(repo.create(row));
  }

  /** The clinic's key, locked for the rest of the transaction. */
  apiKeyForUpdate(tx: EntityManager, clinicId: string, id: string): Promise<ApiKey | null> {
    return tx.getRepository(ApiKey).findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
  }

  saveApiKey(tx: EntityManager, key: ApiKey): Promise<ApiKey> {
    return tx.getRepository(ApiKey).save(key);
  }

  /** The clinic's keys, revoked ones too, oldest first. */
  apiKeys(clinicId: string): Promise<ApiKey[]> {
    return queryRows<ApiKey>(this.db, `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE clinic_id = $1 ORDER BY created_at ASC`, [clinicId]);
  }
}
