import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { changedFields } from '../audit/field-changes';
import { ClinicsService } from '../clinics/clinics.service';
import { ASSIGNABLE_ROLES } from '../clinics/staff-user.entity';
import { Clock } from '../common/clock';
import { ASSESSMENT_FIELDS, assessmentError, orderedCriteria } from './assessment';
import { AssessFlagDto } from './dto/assess-flag.dto';
import { AcknowledgeFlagDto, AssignFlagDto, FlagNoteDto, ReopenFlagDto, ResolveFlagDto } from './dto/flag.dto';
import { FlagCase } from './flag-case.entity';
import { FlagCasesService, FlagChangeKind } from './flag-cases.service';
import { FlagEventKind } from './flag-event.entity';
import { Flag } from './flag.entity';
import { FlagsRepository } from './flags.repository';

interface TransitionResult {
  /** The audit event: ids and field names only. */
  action: string;
  data: Record<string, unknown>;
  /** Why, where the step asks for one: goes to the audit event's redactable payload. */
  reason?: string;
  /** The fields whose before/after the step records, when not the triage fields (their names go to `data.fields`). */
  fields?: readonly (keyof Flag & string)[];
  /** The flag's own history entry. */
  event: { kind: FlagEventKind; data: Record<string, unknown> };
}

/** The fields triage changes; their before/after goes with each triage step's audit event. */
const FLAG_TRIAGE_FIELDS = ['status', 'priority', 'assigneeId', 'acknowledgedAt', 'acknowledgedBy', 'resolvedAt', 'resolvedBy', 'outcome', 'note'] as const;

/** Triage steps that change what the queue shows; a note or an assessment does not. */
const ANNOUNCED = new Set<FlagEventKind>(['acknowledged', 'resolved', 'reopened', 'assigned']);

/**
 * Decides which triage step a flag may take from its status (open → acknowledged → resolved →
 * reopened; assigned, noted and assessed along the way), each with its audit event, history
 * entry and case refresh in one transaction; and the steps coordinating features (triage)
 * record in theirs.
 */
@Injectable()
export class FlagTriageService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: FlagsRepository,
    private readonly cases: FlagCasesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
  ) {}

  /** Hands the flag to an active practitioner or admin of the same clinic; `assigneeId: null` (cases) unassigns it. In `manager` when given. */
  async assign(clinicId: string, id: string, actor: Actor, dto: AssignFlagDto | { assigneeId: string | null }, manager?: EntityManager): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open', 'acknowledged'], async (f, _now, tx) => {
      if (dto.assigneeId !== null) {
        const assignee = await this.clinics.findStaff(clinicId, dto.assigneeId, tx);
        if (!assignee) throw new NotFoundException('Assignee not found in this clinic');
        if (!assignee.active) throw new BadRequestException('The assignee is not active');
        if (!ASSIGNABLE_ROLES.includes(assignee.role)) throw new BadRequestException('The assignee must be a practitioner or an admin');
      }
      const previous = f.assigneeId;
      f.assigneeId = dto.assigneeId;
      return { action: 'flag.assigned', data: { assigneeId: dto.assigneeId, previousAssigneeId: previous }, event: { kind: 'assigned', data: { assigneeId: dto.assigneeId, previousAssigneeId: previous } } };
    }, manager);
  }

  /** A note on the flag's history, in any status. The note text goes to the history, never to the audit log. */
  async addNote(clinicId: string, id: string, actor: Actor, dto: FlagNoteDto): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open', 'acknowledged', 'resolved'], () => ({
      action: 'flag.note_added',
      data: { fields: ['text'] },
      event: { kind: 'note', data: { text: dto.text } },
    }));
  }

  /** Resolved → open again; the earlier outcome stays in the history. */
  async reopen(clinicId: string, id: string, actor: Actor, dto: ReopenFlagDto): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['resolved'], async (f, _now, tx) => {
      // One unresolved flag per treatment and rule: evidence after the resolution already raised a new one.
      if (f.treatmentId) {
        await this.repo.lockTreatmentFlags(tx, f.treatmentId);
        const other = await this.repo.unresolvedOf(tx, { clinicId, treatmentId: f.treatmentId, ruleId: f.ruleId }, { exceptId: f.id });
        if (other) throw new ConflictException(`Flag ${other.id} for the same rule on this treatment is ${other.status}; later evidence is there, so this one stays resolved`);
      }
      const previousOutcome = f.outcome;
      f.status = 'open';
      f.outcome = null;
      f.resolvedAt = null;
      f.resolvedBy = null;
      return { action: 'flag.reopened', data: { previousOutcome, hasReason: true }, reason: dto.reason, event: { kind: 'reopened', data: { reason: dto.reason, previousOutcome } } };
    });
  }

  /** In `manager` when given (a case acts on its flags in one transaction). */
  async acknowledge(clinicId: string, id: string, actor: Actor, dto: AcknowledgeFlagDto, manager?: EntityManager): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open'], (f, now) => {
      f.status = 'acknowledged';
      f.acknowledgedAt = now;
      f.acknowledgedBy = actor.id;
      if (!f.assigneeId) f.assigneeId = actor.id;
      if (dto.note) f.note = dto.note;
      return { action: 'flag.acknowledged', data: { hasNote: !!dto.note }, event: { kind: 'acknowledged', data: { assigneeId: f.assigneeId, ...(dto.note ? { note: dto.note } : {}) } } };
    }, manager);
  }

  /** In `manager` when given (a case acts on its flags in one transaction). */
  async resolve(clinicId: string, id: string, actor: Actor, dto: ResolveFlagDto, manager?: EntityManager): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open', 'acknowledged'], (f, now) => {
      if (!f.acknowledgedAt) {
        f.acknowledgedAt = now;
        f.acknowledgedBy = actor.id;
      }
      f.status = 'resolved';
      f.resolvedAt = now;
      f.resolvedBy = actor.id;
      f.outcome = dto.outcome;
      f.note = dto.note;
      return { action: 'flag.resolved', data: { outcome: dto.outcome }, event: { kind: 'resolved', data: { outcome: dto.outcome, note: dto.note } } };
    }, manager);
  }

  /**
   * Causality and seriousness (ICH E2A) of a flagged reaction. Any status (a reaction is often
   * assessed after triage closed it) and again later: each assessment replaces the last on the
   * flag, the history keeps every one, the audit event carries the old and new values.
   */
  async assess(clinicId: string, id: string, actor: Actor, dto: AssessFlagDto): Promise<Flag> {
    const criteria = orderedCriteria(dto.seriousnessCriteria ?? []);
    const problem = assessmentError(dto.seriousness, criteria);
    if (problem) throw new BadRequestException(problem);
    return this.transition(clinicId, id, actor, ['open', 'acknowledged', 'resolved'], (f, now) => {
      const reassessment = f.assessedAt !== null;
      f.causality = dto.causality;
      f.seriousness = dto.seriousness;
      f.seriousnessCriteria = criteria;
      f.assessmentNote = dto.note ?? null;
      f.assessedAt = now;
      f.assessedBy = actor.id;
      return {
        action: 'flag.assessed',
        fields: ASSESSMENT_FIELDS,
        data: { reassessment },
        event: { kind: 'assessed', data: { causality: f.causality, seriousness: f.seriousness, seriousnessCriteria: criteria, ...(dto.note ? { note: dto.note } : {}) } },
      };
    });
  }

  // --- For coordinating features (triage), in the caller's transaction ---

  /** Before a case action: the patient's cases locked (as every flag change does). */
  lockCase(manager: EntityManager, flagCase: FlagCase): Promise<void> {
    return this.cases.lockPatientCases(manager, flagCase.patientId);
  }

  /** The flag locked for a triage step; 404 for another clinic's, 409 naming its state when not in `from`. */
  async lockForTriage(manager: EntityManager, clinicId: string, id: string, from: Flag['status'][]): Promise<Flag> {
    const f = await this.repo.find(manager, clinicId, id, { lock: true });
    if (!f) throw new NotFoundException('Flag not found');
    if (!from.includes(f.status)) throw new ConflictException(`The flag is ${f.status}; this needs it ${from.join(' or ')}`);
    return f;
  }

  /** A step in the flag's history and its audit event (ids and field names only). */
  async recordTriageStep(manager: EntityManager, flag: Flag, actor: Actor, step: { kind: FlagEventKind; eventData: Record<string, unknown>; action: string; auditData: Record<string, unknown> }): Promise<void> {
    const now = this.clock.now();
    await this.repo.touch(manager, flag.clinicId, flag.id, now);
    await this.audit.record(manager, { clinicId: flag.clinicId, actor, action: step.action, entityType: 'flag', entityId: flag.id, data: step.auditData });
    await this.repo.insertEvent(manager, flag, actor, step.kind, now, step.eventData);
  }

  private async transition(
    clinicId: string,
    id: string,
    actor: Actor,
    from: Flag['status'][],
    apply: (f: Flag, now: Date, tx: EntityManager) => TransitionResult | Promise<TransitionResult>,
    outer?: EntityManager,
  ): Promise<Flag> {
    const run = async (tx: EntityManager) => {
      // The patient's cases first (as raising does), then the flag's row: no lock cycle with new evidence.
      const patientId = await this.repo.patientOf(tx, clinicId, id);
      if (!patientId) throw new NotFoundException('Flag not found');
      await this.cases.lockPatientCases(tx, patientId);
      const f = await this.lockForTriage(tx, clinicId, id, from);
      const now = this.clock.now();
      const prior = f.status;
      const before = { ...f };
      const { action, data, event, reason, fields } = await apply(f, now, tx);
      f.updatedAt = now;
      await this.repo.save(tx, f);
      // Before/after of every field the step changed (values go to the redactable payload).
      const changes = changedFields(before, f, fields ?? FLAG_TRIAGE_FIELDS);
      const names = fields ? { fields: Object.keys(changes) } : {};
      await this.audit.record(tx, { clinicId, actor, action, entityType: 'flag', entityId: id, data: { from: prior, to: f.status, ...names, ...data }, changes, ...(reason ? { reason } : {}) });
      await this.repo.insertEvent(tx, f, actor, event.kind, now, event.data);
      if (event.kind === 'reopened') await this.cases.place(tx, f, await this.courseOfCase(tx, f), now);
      else if (f.caseId) await this.cases.refresh(tx, f.clinicId, f.caseId, now);
      if (ANNOUNCED.has(event.kind)) await this.cases.announce(tx, f, event.kind as FlagChangeKind);
      return f;
    };
    return outer ? run(outer) : this.db.transaction(run);
  }

  /** The course of the case a flag was last in (its treatment when it had none). */
  private async courseOfCase(manager: EntityManager, f: Flag): Promise<string | null> {
    if (!f.caseId) return f.treatmentId;
    const found = await this.repo.courseOfCase(manager, f.clinicId, f.caseId);
    return found ? found.courseId : f.treatmentId;
  }
}
