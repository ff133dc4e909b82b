import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { Patient } from './patient.entity';

/** The new row's fields, everything the service decides (the id is the database's). */
export type NewPatient = Pick<
  Patient,
  | 'clinicId' | 'externalRef' | 'givenName' | 'familyName' | 'email' | 'phone' | 'birthYear' | 'timeZone' | 'locale' | 'preferredChannel'
  | 'smsConsentAt' | 'smsConsentSource' | 'smsOptedOutAt' | 'emailConsentAt' | 'emailConsentSource' | 'emailOptedOutAt' | 'createdAt' | 'updatedAt'
>;

/**
 * The clinic's patients the search matches: all of them without a pattern ($2 null), else the
 * LIKE pattern on the same expression as the trigram index (patients_search_trgm_idx), or the
 * exact phone ($3). The statements are planned with their values, so a null $2 costs nothing.
 */
const SEARCH_MATCH = `p.clinic_id = $1
  AND ($2::text IS NULL
       OR lower(p.given_name || ' ' || p.family_name || ' ' || coalesce(p.email, '') || ' ' || coalesce(p.external_ref, '') || ' ' || coalesce(p.phone, '')) LIKE $2
       OR ($3::text IS NOT NULL AND p.phone = $3))`;

/**
 * Every query on `patients`. Reads and writes by key through TypeORM's repository API; the
 * search, which matches an expression, in raw SQL with `$n` parameters and typed rows. Every
 * read takes the clinic id, except the ones marked below that say why they cannot. Inside a
 * transaction pass its manager: a second pool connection can deadlock the pool.
 */
@Injectable()
export class PatientsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  insert(tx: EntityManager, row: NewPatient): Promise<Patient> {
    const repo = tx.getRepository(Patient);
    return repo.save(repo.create(row));
  }

  save(tx: EntityManager, patient: Patient): Promise<Patient> {
    return tx.getRepository(Patient).save(patient);
  }

  find(clinicId: string, id: string, tx: EntityManager = this.db.manager): Promise<Patient | null> {
    return tx.getRepository(Patient).findOneBy({ clinicId, id });
  }

  /** These patients, each within its clinic (a dispatcher round spans clinics): one query for a batch. */
  findMany(tx: EntityManager, clinicIds: string[], ids: string[]): Promise<Patient[]> {
    if (!ids.length) return Promise.resolve([]);
    return tx.getRepository(Patient).findBy({ clinicId: In([...new Set(clinicIds)]), id: In([...new Set(ids)]) });
  }

  /** The clinic's patient, locked for the rest of the transaction (a change of the record). */
  findForUpdate(tx: EntityManager, clinicId: string, id: string): Promise<Patient | null> {
    return tx.getRepository(Patient).findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * By id alone, locked. Clinic-free on purpose for the one-click unsubscribe link, which carries
   * only the patient id under an HMAC (unguessable; links already sent cannot gain a clinic id).
   */
  findByIdForUpdate(tx: EntityManager, id: string): Promise<Patient | null> {
    return tx.getRepository(Patient).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** By id alone on purpose: the unsubscribe page knows only the patient id its signed (HMAC) link carries. */
  async localeOf(id: string): Promise<string | null> {
    const row = await this.db.getRepository(Patient).findOne({ where: { id }, select: { id: true, locale: true } });
    return row?.locale ?? null;
  }

  byIds(clinicId: string, ids: string[]): Promise<Patient[]> {
    return this.db.getRepository(Patient).findBy({ clinicId, id: In(ids) });
  }

  byExternalRef(tx: EntityManager, clinicId: string, externalRef: string): Promise<Patient | null> {
    return tx.getRepository(Patient).findOneBy({ clinicId, externalRef });
  }

  /** Patients of these clinics with this phone number, locked, the most recently changed first. */
  byPhoneForUpdate(tx: EntityManager, clinicIds: string[], phone: string): Promise<Patient[]> {
    return tx.getRepository(Patient).find({ where: { phone, clinicId: In(clinicIds) }, order: { updatedAt: 'DESC' }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * A page of the clinic's patients matching `like` (a LIKE pattern on the search expression) or
   * `phone`, by family then given name, and how many match in all.
   */
  async search(clinicId: string, match: { like: string; phone: string | null } | null, page: { limit: number; offset: number }): Promise<{ items: Patient[]; total: number }> {
    const params = [clinicId, match?.like ?? null, match?.phone ?? null];
    const [{ total }] = await queryRows<{ total: number }>(this.db, `SELECT count(*)::int AS total FROM patients p WHERE ${SEARCH_MATCH}`, params);
    const ids = await queryRows<{ id: string }>(
      this.db,
      `SELECT p.id FROM patients p WHERE ${SEARCH_MATCH}
        ORDER BY lower(p.family_name) ASC, lower(p.given_name) ASC, p.id ASC LIMIT $4 OFFSET $5`,
      [...params, page.limit, page.offset],
    );
    const byId = new Map((ids.length ? await this.byIds(clinicId, ids.map((r) => r.id)) : []).map((p) => [p.id, p]));
    return { items: ids.map((r) => byId.get(r.id)).filter((p): p is Patient => !!p), total };
  }
}
