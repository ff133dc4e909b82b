import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { queryOne, queryRows } from '../database/query-rows';
import { StaffRole } from '../common/roles';
import { StaffUser } from './staff-user.entity';

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
 * TypeORM's repository API. Every query takes the clinic id but the two a credential starts from
 * (say why where they are). Inside a transaction pass its manager.
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
}
