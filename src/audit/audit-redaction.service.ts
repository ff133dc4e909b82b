import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AuditRepository } from './audit.repository';

/** Decides which audit payloads an erasure blanks: the values about the erased entities, once each; the chain stays whole. */
@Injectable()
export class AuditRedactionService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Blanks the payloads of the events about these entities (erasure), once each. Returns their
   * sequence numbers: the erasure's own event lists them, and verification accepts a redacted
   * payload only when such an event claims it.
   */
  async redactPayloads(manager: EntityManager, clinicId: string, entityIds: string[], reason: string): Promise<string[]> {
    if (!entityIds.length) return [];
    const seqs = await this.repo.redactPayloads(manager, clinicId, entityIds, this.clock.now(), reason);
    return seqs.sort((a, b) => Number(a) - Number(b));
  }
}
