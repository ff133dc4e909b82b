import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { TreatmentsOfProtocol } from '../protocols/protocol-usage';
import { Treatment } from './treatment.entity';

/** The new row's fields, everything the service decides (the id is the database's). */
export type NewTreatment = Omit<Treatment, 'id'>;

/**
 * Every query on `treatments`, through TypeORM's repository API (they are all simple reads and
 * writes of one table by key). Each takes the clinic id. Inside a transaction pass its
 * manager: a second pool connection can deadlock the pool.
 */
@Injectable()
export class TreatmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  insert(tx: EntityManager, row: NewTreatment): Promise<Treatment> {
    const repo = tx.getRepository(Treatment);
    return repo.save(repo.create(row));
  }

  save(tx: EntityManager, treatment: Treatment): Promise<Treatment> {
    return tx.getRepository(Treatment).save(treatment);
  }

  externalRefTaken(tx: EntityManager, clinicId: string, externalRef: string): Promise<boolean> {
    return tx.getRepository(Treatment).existsBy({ clinicId, externalRef });
  }

  find(clinicId: string, id: string, tx: EntityManager = this.db.manager): Promise<Treatment | null> {
    return tx.getRepository(Treatment).findOneBy({ clinicId, id });
  }

  /** The row, locked for the rest of the transaction (a change of status). */
  findForUpdate(tx: EntityManager, clinicId: string, id: string): Promise<Treatment | null> {
    return tx.getRepository(Treatment).findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
  }

  byIds(clinicId: string, ids: string[]): Promise<Treatment[]> {
    return this.db.getRepository(Treatment).findBy({ clinicId, id: In(ids) });
  }

  /** The patient's active sessions, oldest first. */
  activeSessions(tx: EntityManager, clinicId: string, patientId: string): Promise<Treatment[]> {
    return tx.getRepository(Treatment).find({ where: { clinicId, patientId, status: 'active' }, order: { performedAt: 'ASC', id: 'ASC' } });
  }

  /** The patient's most recent active session. */
  latestActive(tx: EntityManager, clinicId: string, patientId: string): Promise<Treatment | null> {
    return tx.getRepository(Treatment).findOne({ where: { clinicId, patientId, status: 'active' }, order: { performedAt: 'DESC' } });
  }

  /** The clinic's treatments counted per protocol version they follow (one grouped read). */
  async countsByProtocol(clinicId: string): Promise<TreatmentsOfProtocol[]> {
    const rows = await queryRows<{ protocol_id: string; treatments: number; active: number; patients: number; first_at: Date; last_at: Date }>(
      this.db,
      `SELECT protocol_id, count(*)::int AS treatments, (count(*) FILTER (WHERE status = 'active'))::int AS active,
              count(DISTINCT patient_id)::int AS patients, min(performed_at) AS first_at, max(performed_at) AS last_at
         FROM treatments WHERE clinic_id = $1 GROUP BY protocol_id`,
      [clinicId],
    );
    return rows.map((r) => ({
      protocolId: r.protocol_id,
      treatments: r.treatments,
      activeTreatments: r.active,
      patients: r.patients,
      firstPerformedAt: new Date(r.first_at),
      lastPerformedAt: new Date(r.last_at),
    }));
  }

  listForPatient(clinicId: string, patientId: string): Promise<Treatment[]> {
    return this.db.getRepository(Treatment).find({ where: { clinicId, patientId }, order: { performedAt: 'ASC' } });
  }
}
