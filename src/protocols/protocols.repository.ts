import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../database/query-rows';
import { Protocol } from './protocol.entity';

/** A protocol row under its entity's property names. */
const COLUMNS = `id, clinic_id AS "clinicId", key, version, name, day_offsets AS "dayOffsets", send_time AS "sendTime",
  expiry_hours AS "expiryHours", reminder_after_hours AS "reminderAfterHours", expected_course AS "expectedCourse", created_at AS "createdAt"`;

/** What a clinic can see: its own versions and the shipped defaults (clinic_id NULL). `$1` is the clinic. */
const VISIBLE_TO_CLINIC = `(clinic_id = $1 OR clinic_id IS NULL)`;

/** Its own before the shipped one, newest version first. */
const OWN_FIRST_NEWEST_FIRST = `clinic_id IS NULL, version DESC`;

/**
 * Every query on `protocols`. Rows are insert-only (the database refuses changes), so a write is
 * an insert through TypeORM's repository API; reads are raw SQL with `$n` parameters and typed rows.
 */
@Injectable()
export class ProtocolsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The clinic's newest version of the key, else the shipped default's newest. */
  resolve(clinicId: string, key: string, manager: EntityManager = this.db.manager): Promise<Protocol | undefined> {
    return queryOne<Protocol>(manager, `SELECT ${COLUMNS} FROM protocols WHERE ${VISIBLE_TO_CLINIC} AND key = $2 ORDER BY ${OWN_FIRST_NEWEST_FIRST} LIMIT 1`, [clinicId, key]);
  }

  /** The newest the clinic can see of each key. */
  current(clinicId: string): Promise<Protocol[]> {
    return queryRows<Protocol>(this.db, `SELECT DISTINCT ON (key) ${COLUMNS} FROM protocols WHERE ${VISIBLE_TO_CLINIC} ORDER BY key, ${OWN_FIRST_NEWEST_FIRST}`, [clinicId]);
  }

  /** Every version of the key the clinic can see, newest first. */
  versions(clinicId: string, key: string): Promise<Protocol[]> {
    return queryRows<Protocol>(this.db, `SELECT ${COLUMNS} FROM protocols WHERE ${VISIBLE_TO_CLINIC} AND key = $2 ORDER BY version DESC`, [clinicId, key]);
  }

  /** One the clinic can see, by id. */
  visible(clinicId: string, id: string, manager: EntityManager = this.db.manager): Promise<Protocol | undefined> {
    return queryOne<Protocol>(manager, `SELECT ${COLUMNS} FROM protocols WHERE ${VISIBLE_TO_CLINIC} AND id = $2`, [clinicId, id]);
  }

  /** The highest version of the key the clinic can see (its own or shipped), null for a new key. */
  async highestVersion(manager: EntityManager, clinicId: string, key: string): Promise<number | null> {
    const row = await queryOne<{ max: number | null }>(manager, `SELECT max(version)::int AS max FROM protocols WHERE ${VISIBLE_TO_CLINIC} AND key = $2`, [clinicId, key]);
    return row?.max ?? null;
  }

  insert(manager: EntityManager, row: Omit<Protocol, 'id'>): Promise<Protocol> {
    const repo = manager.getRepository(Protocol);
    return repo.save(repo.create(row));
  }
}
