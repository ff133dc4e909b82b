import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { queryOne, queryRows } from '../database/query-rows';
import { StaffRole } from '../common/roles';
import { Clinic } from './clinic.entity';
import { StaffUser } from './staff-user.entity';

/** A staff row under its entity's property names, without the password hash (as TypeORM's select: false left it). */
const STAFF_COLUMNS = `id, clinic_id AS "clinicId", email, name, role, phone, active, must_change_password AS "mustChangePassword",
  token_version AS "tokenVersion", last_sign_in_at AS "lastSignInAt", created_at AS "createdAt"`;

/** A clinic row under its entity's property names, without sms_sender_notice_at (select: false on the entity). */
const CLINIC_COLUMNS = `id, name, time_zone AS "timeZone", phone, sms_from AS "smsFrom", email_from AS "emailFrom", sms_name AS "smsName",
  staff_locale AS "staffLocale", send_window_start AS "sendWindowStart", send_window_end AS "sendWindowEnd",
  escalate_urgent_after_minutes AS "escalateUrgentAfterMinutes", escalate_high_after_hours AS "escalateHighAfterHours", created_at AS "createdAt"`;

/** A staff account a sign-in may open: its clinic and password hash. */
export interface SignInCandidateRow {
  id: string;
  clinic_id: string;
  password_hash: string;
}

/** What every request with a bearer token checks of the account (five columns, no entity). */
export type StaffCredentialRow = Pick<StaffUser, 'id' | 'clinicId' | 'role' | 'active' | 'mustChangePassword' | 'tokenVersion'>;

/** The signed-in staff member and their clinic's name. */
export interface SignedInStaffRow {
  id: string;
  clinic_id: string;
  clinic_name: string;
  email: string;
  name: string;
  role: StaffRole;
  must_change_password: boolean;
}

/**
 * The SQL on `clinics` and `staff_users` that other features reach through ClinicsService (sign-in
 * and credentials for auth), raw with `$n` parameters and typed rows; writes by primary key through
 * TypeORM's repository API. Every query takes the clinic id but the two a credential starts from,
 * the SMS webhook's lookup by sender and the first-run count (say why where they are). Inside a transaction pass its manager.
 */
@Injectable()
export class ClinicsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The newest `limit` active accounts with this (lowercased) email, of one clinic when `clinicId`
   * is given. Across clinics without it: a sign-in that names no clinic starts from the email alone.
   */
  signInCandidates(email: string, limit: number, clinicId: string | null): Promise<SignInCandidateRow[]> {
    return queryRows<SignInCandidateRow>(
      this.db,
      `SELECT id, clinic_id, password_hash FROM staff_users
        WHERE lower(email) = $1 AND active AND ($3::uuid IS NULL OR clinic_id = $3::uuid)
        ORDER BY greatest(last_sign_in_at, created_at) DESC, id LIMIT $2`,
      [email, limit, clinicId],
    );
  }

  /** These clinics' ids and names, by name. */
  clinicNames(ids: string[]): Promise<Array<{ id: string; name: string }>> {
    return queryRows<{ id: string; name: string }>(this.db, `SELECT id, name FROM clinics WHERE id = ANY($1::uuid[]) ORDER BY name, id`, [ids]);
  }

  /** By the staff id alone: a verified bearer token names only its subject, and the row says which clinic it is. */
  credentialOf(staffId: string): Promise<StaffCredentialRow | undefined> {
    return queryOne<StaffCredentialRow>(
      this.db,
      `SELECT id, clinic_id AS "clinicId", role, active, must_change_password AS "mustChangePassword", token_version AS "tokenVersion" FROM staff_users WHERE id = $1`,
      [staffId],
    );
  }

  signedInStaff(clinicId: string, staffId: string): Promise<SignedInStaffRow | undefined> {
    return queryOne<SignedInStaffRow>(
      this.db,
      `SELECT u.id, u.clinic_id, c.name AS clinic_name, u.email, u.name, u.role, u.must_change_password
         FROM staff_users u JOIN clinics c ON c.id = u.clinic_id WHERE u.clinic_id = $1 AND u.id = $2`,
      [clinicId, staffId],
    );
  }

  findStaff(clinicId: string, id: string, tx: EntityManager = this.db.manager): Promise<StaffUser | null> {
    return tx.getRepository(StaffUser).findOneBy({ clinicId, id });
  }

  staffByIds(tx: EntityManager, clinicId: string, ids: string[]): Promise<StaffUser[]> {
    return tx.getRepository(StaffUser).findBy({ clinicId, id: In(ids) });
  }

  async stampSignIn(tx: EntityManager, clinicId: string, staffId: string, now: Date): Promise<void> {
    await tx.update(StaffUser, { clinicId, id: staffId }, { lastSignInAt: now });
  }

  /** The staff member's bearer tokens stop working: tokens carry the version they were issued under. */
  async bumpTokenVersion(tx: EntityManager, clinicId: string, staffId: string): Promise<void> {
    await tx.increment(StaffUser, { clinicId, id: staffId }, 'tokenVersion', 1);
  }

  async setPassword(tx: EntityManager, clinicId: string, staffId: string, passwordHash: string, mustChangePassword: boolean): Promise<void> {
    await tx.update(StaffUser, { clinicId, id: staffId }, { passwordHash, mustChangePassword });
  }

  insertClinic(tx: EntityManager, row: Partial<Clinic>): Promise<Clinic> {
    const repo = tx.getRepository(Clinic);
    return repo.save(repo.create(row));
  }

  /** By primary key; `lock` takes FOR NO KEY UPDATE on the row. */
  /** These clinics (a dispatcher round spans clinics), in one query. */
  clinicsByIds(tx: EntityManager, ids: string[]): Promise<Clinic[]> {
    if (!ids.length) return Promise.resolve([]);
    return tx.getRepository(Clinic).findBy({ id: In([...new Set(ids)]) });
  }

  clinicById(tx: EntityManager, clinicId: string, lock = false): Promise<Clinic | null> {
    const repo = tx.getRepository(Clinic);
    return lock ? repo.findOne({ where: { id: clinicId }, lock: { mode: 'for_no_key_update' } }) : repo.findOneBy({ id: clinicId });
  }

  async updateClinic(tx: EntityManager, clinicId: string, patch: Partial<Clinic>): Promise<void> {
    await tx.update(Clinic, { id: clinicId }, patch);
  }

  /** No clinic id: the SMS webhook asks which clinics the number (or messaging service) serves. */
  clinicsBySender(senders: string[], orWithoutSender: boolean): Promise<Clinic[]> {
    return queryRows<Clinic>(this.db, `SELECT ${CLINIC_COLUMNS} FROM clinics WHERE sms_from = ANY($1::text[])${orWithoutSender ? ' OR sms_from IS NULL' : ''}`, [senders]);
  }

  /** True when this update claimed the clinic's missing-sender notice. */
  async claimSmsSenderNotice(tx: EntityManager, clinicId: string, now: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE clinics SET sms_sender_notice_at = $2 WHERE id = $1 AND sms_sender_notice_at IS NULL AND sms_from IS NULL RETURNING id`,
      [clinicId, now],
    );
    return rows.length > 0;
  }

  /** Every clinic: the first-run check of whether any exists (no clinic to scope by). */
  async countClinics(): Promise<number> {
    const row = await queryOne<{ n: number }>(this.db, `SELECT count(*)::int AS n FROM clinics`);
    return row?.n ?? 0;
  }

  async emailTaken(tx: EntityManager, clinicId: string, email: string): Promise<boolean> {
    const row = await queryOne<{ taken: boolean }>(tx, `SELECT EXISTS (SELECT 1 FROM staff_users WHERE clinic_id = $1 AND lower(email) = lower($2)) AS taken`, [clinicId, email]);
    return !!row?.taken;
  }

  insertStaff(tx: EntityManager, row: Omit<StaffUser, 'id' | 'tokenVersion' | 'lastSignInAt'>): Promise<StaffUser> {
    const repo = tx.getRepository(StaffUser);
    return repo.save(repo.create(row));
  }

  /** Every active admin of the clinic, locked FOR NO KEY UPDATE in id order. */
  lockActiveAdmins(tx: EntityManager, clinicId: string): Promise<Array<{ id: string }>> {
    return queryRows<{ id: string }>(tx, `SELECT id FROM staff_users WHERE clinic_id = $1 AND role = 'admin' AND active ORDER BY id FOR NO KEY UPDATE`, [clinicId]);
  }

  lockStaff(tx: EntityManager, clinicId: string, id: string): Promise<StaffUser | null> {
    return tx.getRepository(StaffUser).findOne({ where: { clinicId, id }, lock: { mode: 'for_no_key_update' } });
  }

  async updateStaff(tx: EntityManager, clinicId: string, id: string, patch: Partial<StaffUser>): Promise<void> {
    await tx.update(StaffUser, { clinicId, id }, patch);
  }

  listStaff(clinicId: string): Promise<StaffUser[]> {
    return queryRows<StaffUser>(this.db, `SELECT ${STAFF_COLUMNS} FROM staff_users WHERE clinic_id = $1 ORDER BY created_at`, [clinicId]);
  }

  staffDirectory(clinicId: string): Promise<Array<Pick<StaffUser, 'id' | 'name' | 'role'>>> {
    return queryRows<Pick<StaffUser, 'id' | 'name' | 'role'>>(this.db, `SELECT id, name, role FROM staff_users WHERE clinic_id = $1 AND active ORDER BY name, id`, [clinicId]);
  }

  staffWithRoles(tx: EntityManager, clinicId: string, roles: StaffRole[]): Promise<StaffUser[]> {
    return queryRows<StaffUser>(tx, `SELECT ${STAFF_COLUMNS} FROM staff_users WHERE clinic_id = $1 AND active AND role = ANY($2::text[]) ORDER BY created_at`, [clinicId, roles]);
  }
}
