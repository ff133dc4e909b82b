import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor, AuditService } from '../audit/audit.service';
import { changedFields } from '../audit/field-changes';
import { Clock } from '../common/clock';
import { ASSESSMENT_FIELDS, assessmentError, orderedCriteria } from './assessment';
import { AssessFlagDto } from './dto/assess-flag.dto';
import { FlagEvent } from './flag-event.entity';
import { Flag } from './flag.entity';

/**
 * Causality and seriousness of a flagged reaction. Allowed in any status (a reaction is often
 * assessed after triage closed it) and again later: each assessment replaces the last one on the
 * flag, the history keeps every one, and the audit event carries the old and new values.
 */
@Injectable()
export class FlagAssessmentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async assess(clinicId: string, id: string, actor: Actor, dto: AssessFlagDto): Promise<Flag> {
    const criteria = orderedCriteria(dto.seriousnessCriteria ?? []);
    const problem = assessmentError(dto.seriousness, criteria);
    if (problem) throw new BadRequestException(problem);
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(Flag);
      const f = await repo.findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
      if (!f) throw new NotFoundException('Flag not found');
      const before = { ...f };
      const now = this.clock.now();
      f.causality = dto.causality;
      f.seriousness = dto.seriousness;
      f.seriousnessCriteria = criteria;
      f.assessmentNote = dto.note ?? null;
      f.assessedAt = now;
      f.assessedBy = actor.id;
      f.updatedAt = now;
      await repo.save(f);
      const changes = changedFields(before, f, ASSESSMENT_FIELDS);
      await this.audit.record(m, {
        clinicId,
        actor,
        action: 'flag.assessed',
        entityType: 'flag',
        entityId: f.id,
        data: { fields: Object.keys(changes), reassessment: before.assessedAt !== null, status: f.status },
        changes,
      });
      const events = m.getRepository(FlagEvent);
      await events.save(
        events.create({
          flagId: f.id,
          clinicId,
          at: now,
          actorType: actor.type,
          actorId: actor.id,
          kind: 'assessed',
          data: { causality: f.causality, seriousness: f.seriousness, seriousnessCriteria: criteria, ...(dto.note ? { note: dto.note } : {}) },
        }),
      );
      return f;
    });
  }
}
