import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, MoreThanOrEqual } from 'typeorm';
import { Response } from './response.entity';

/** The new answer's fields, everything the service decides (the id is the database's). */
export type NewResponse = Omit<Response, 'id'>;

/**
 * Every query on `responses` (immutable answers), through TypeORM's repository API: inserts and
 * reads by patient or treatment, each filtered by the clinic id. Inside a transaction pass its
 * manager: a second pool connection can deadlock the pool.
 */
@Injectable()
export class ResponsesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  insert(tx: EntityManager, row: NewResponse): Promise<Response> {
    const repo = tx.getRepository(Response);
    return repo.save(repo.create(row));
  }

  /** The patient's latest answer received at or after `since`, if any. */
  latestSince(tx: EntityManager, clinicId: string, patientId: string, since: Date): Promise<Response | null> {
    return tx.getRepository(Response).findOne({ where: { clinicId, patientId, receivedAt: MoreThanOrEqual(since) }, order: { receivedAt: 'DESC', createdAt: 'DESC' } });
  }

  /** Answers to these treatments (a follow-up or a course), oldest first. */
  forTreatments(tx: EntityManager, clinicId: string, treatmentIds: string[]): Promise<Response[]> {
    return tx.getRepository(Response).find({ where: { clinicId, treatmentId: In(treatmentIds) }, order: { receivedAt: 'ASC', createdAt: 'ASC' } });
  }

  listForPatient(clinicId: string, patientId: string): Promise<Response[]> {
    return this.db.getRepository(Response).find({ where: { clinicId, patientId }, order: { receivedAt: 'ASC' } });
  }
}
