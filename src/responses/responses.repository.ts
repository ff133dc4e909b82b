import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThanOrEqual } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { Response } from './response.entity';

/** A response row as the entity names its fields (raw SQL on the reply path: no entity machinery per answer). */
const RESPONSE_COLUMNS = (r: string) =>
  `${r}.id, ${r}.clinic_id AS "clinicId", ${r}.patient_id AS "patientId", ${r}.treatment_id AS "treatmentId", ${r}.check_in_id AS "checkInId",
   ${r}.message_id AS "messageId", ${r}.source, ${r}.bruising, ${r}.redness, ${r}.itching, ${r}.burning, ${r}.pain,
   ${r}.warning_signs AS "warningSigns", ${r}.sign_readings AS "signReadings", ${r}.free_text AS "freeText", ${r}.raw_text AS "rawText",
   ${r}.day_since_treatment AS "daySinceTreatment", ${r}.received_at AS "receivedAt", ${r}.created_at AS "createdAt"`;

/** The new answer's fields, everything the service decides (the id is the database's). */
export type NewResponse = Omit<Response, 'id'>;

/**
 * Every query on `responses` (immutable answers): inserts and reads by patient or treatment (the
 * reply path's two in raw SQL, the rest through TypeORM's repository API), each filtered by the clinic id. Inside a transaction pass its
 * manager: a second pool connection can deadlock the pool.
 */
@Injectable()
export class ResponsesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One INSERT … RETURNING: the row as stored (its id and created_at are the database's). */
  async insert(tx: EntityManager, row: NewResponse): Promise<Response> {
    const [stored] = await queryRows<Response>(
      tx,
      `INSERT INTO responses AS r (clinic_id, patient_id, treatment_id, check_in_id, message_id, source, bruising, redness, itching, burning, pain,
                                   warning_signs, sign_readings, free_text, raw_text, day_since_treatment, received_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, COALESCE($18, now()))
       RETURNING ${RESPONSE_COLUMNS('r')}`,
      [
        row.clinicId, row.patientId, row.treatmentId, row.checkInId, row.messageId, row.source,
        row.bruising, row.redness, row.itching, row.burning, row.pain,
        row.warningSigns, row.signReadings === null || row.signReadings === undefined ? null : JSON.stringify(row.signReadings),
        row.freeText, row.rawText, row.daySinceTreatment, row.receivedAt, row.createdAt ?? null,
      ],
    );
    return stored;
  }

  /** The patient's latest answer received at or after `since`, if any. */
  latestSince(tx: EntityManager, clinicId: string, patientId: string, since: Date): Promise<Response | null> {
    return tx.getRepository(Response).findOne({ where: { clinicId, patientId, receivedAt: MoreThanOrEqual(since) }, order: { receivedAt: 'DESC', createdAt: 'DESC' } });
  }

  /** Answers to these treatments (a follow-up or a course), oldest first. */
  forTreatments(tx: EntityManager, clinicId: string, treatmentIds: string[]): Promise<Response[]> {
    if (!treatmentIds.length) return Promise.resolve([]);
    return queryRows<Response>(
      tx,
      `SELECT ${RESPONSE_COLUMNS('r')} FROM responses r WHERE r.clinic_id = $1 AND r.treatment_id = ANY($2::uuid[]) ORDER BY r.received_at ASC, r.created_at ASC`,
      [clinicId, treatmentIds],
    );
  }

  listForPatient(clinicId: string, patientId: string): Promise<Response[]> {
    return this.db.getRepository(Response).find({ where: { clinicId, patientId }, order: { receivedAt: 'ASC' } });
  }
}
