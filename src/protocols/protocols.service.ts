import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Protocol } from './protocol.entity';

@Injectable()
export class ProtocolsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The clinic's newest protocol, else the shipped default. A treatment keeps the version it started with. */
  async current(clinicId: string): Promise<Protocol> {
    const own = await this.db
      .getRepository(Protocol)
      .createQueryBuilder('p')
      .where(`p.clinic_id = :clinicId AND p.key = 'default'`, { clinicId })
      .orderBy('p.version', 'DESC')
      .getOne();
    if (own) return own;
    return this.db
      .getRepository(Protocol)
      .createQueryBuilder('p')
      .where(`p.clinic_id IS NULL AND p.key = 'default'`)
      .orderBy('p.version', 'DESC')
      .getOneOrFail();
  }

  /** Pass the caller's transaction manager when inside one: a second pool connection can deadlock it. */
  get(id: string, m: EntityManager = this.db.manager): Promise<Protocol> {
    return m.getRepository(Protocol).findOneByOrFail({ id });
  }
}
