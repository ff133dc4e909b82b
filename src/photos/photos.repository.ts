import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ResponsePhoto } from './photo.entity';

/** Photos in the order they are shown: as stored, then their place in the answer. */
const SHOWN_ORDER = { createdAt: 'ASC', position: 'ASC' } as const;

/**
 * Every query on `response_photos` (the rows; their bytes are the photo store's), through
 * TypeORM's repository API, each filtered by the clinic id. Inside a transaction pass its
 * manager: a second pool connection can deadlock the pool.
 */
@Injectable()
export class PhotosRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A row to insert (the id is chosen first: it names the stored object). */
  build(tx: EntityManager, row: ResponsePhoto): ResponsePhoto {
    return tx.getRepository(ResponsePhoto).create(row);
  }

  async insert(tx: EntityManager, row: ResponsePhoto): Promise<void> {
    await tx.getRepository(ResponsePhoto).insert(row);
  }

  find(clinicId: string, id: string): Promise<ResponsePhoto | null> {
    return this.db.getRepository(ResponsePhoto).findOne({ where: { id, clinicId } });
  }

  forResponses(clinicId: string, responseIds: string[]): Promise<ResponsePhoto[]> {
    return this.db.getRepository(ResponsePhoto).find({ where: { clinicId, responseId: In(responseIds) }, order: SHOWN_ORDER });
  }

  forMessages(clinicId: string, messageIds: string[]): Promise<ResponsePhoto[]> {
    return this.db.getRepository(ResponsePhoto).find({ where: { clinicId, messageId: In(messageIds) }, order: SHOWN_ORDER });
  }

  listForPatient(clinicId: string, patientId: string, tx: EntityManager = this.db.manager): Promise<ResponsePhoto[]> {
    return tx.getRepository(ResponsePhoto).find({ where: { clinicId, patientId }, order: SHOWN_ORDER });
  }

  async delete(tx: EntityManager, clinicId: string, ids: string[]): Promise<void> {
    await tx.getRepository(ResponsePhoto).delete({ clinicId, id: In(ids) });
  }
}
