import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, AuditService, SYSTEM } from '../audit/audit.service';
import { changedFields } from '../audit/field-changes';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { StaffUser } from '../clinics/staff-user.entity';
import { Clock } from '../common/clock';
import { Page } from '../common/pagination';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MessagingService } from '../messaging/messaging.service';
import { Channel, chooseChannel, Patient } from '../patients/patient.entity';
import { WarningSign } from '../protocols/questions';
import { safetyAdvice, staffAlert } from '../protocols/texts';
import { AcknowledgeFlagDto, AssignFlagDto, FlagNoteDto, ListFlagsQuery, ReopenFlagDto, ResolveFlagDto } from './dto/flag.dto';
import { FlagEvent, FlagEventKind } from './flag-event.entity';
import { Flag } from './flag.entity';
import { AnswerForRules, evaluateRules, PRIORITY_RANK, RuleHit } from './rules';

export interface Evaluation {
  flags: Flag[];
  /** Queued in the caller's transaction; deliver them right after it commits. */
  urgentMessageIds: string[];
  safetyAdvice: string | null;
}

interface TransitionResult {
  /** The audit event: ids and field names only. */
  action: string;
  data: Record<string, unknown>;
  /** Why, where the step asks for one: goes to the audit event's redactable payload. */
  reason?: string;
  /** The flag's own history entry. */
  event: { kind: FlagEventKind; data: Record<string, unknown> };
}

const UNREADABLE_RULE = { id: 'unreadable-reply', version: 1 };
const LOST_RULE = { id: 'lost-to-follow-up', version: 1 };

/** The fields triage changes; their before/after goes with each triage step's audit event. */
const FLAG_TRIAGE_FIELDS = ['status', 'priority', 'assigneeId', 'acknowledgedAt', 'acknowledgedBy', 'resolvedAt', 'resolvedBy', 'outcome', 'note'] as const;

@Injectable()
export class FlagsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs the rules on a stored answer; flags, safety advice and staff alerts in the caller's transaction. */
  async evaluate(
    m: EntityManager,
    input: {
      clinic: Clinic;
      patient: Patient;
      treatmentId: string;
      responseId: string;
      current: AnswerForRules;
      previous: AnswerForRules | null;
      replyChannel: Channel | null;
    },
  ): Promise<Evaluation> {
    const hits = evaluateRules(input.current, input.previous);
    const flags: Flag[] = [];
    for (const hit of hits) {
      flags.push(await this.raise(m, { clinicId: input.clinic.id, patientId: input.patient.id, treatmentId: input.treatmentId, responseId: input.responseId }, hit));
    }
    const urgent = flags.filter((f) => f.priority === 'urgent');
    if (!urgent.length) return { flags, urgentMessageIds: [], safetyAdvice: null };
    const signs = (urgent[0].evidence.signs as WarningSign[] | undefined) ?? [];
    const advice = safetyAdvice(input.patient.locale, input.clinic.name, input.clinic.phone, signs);
    const ids = await this.queueUrgentMessages(m, input.clinic, input.patient, urgent[0], advice, input.replyChannel);
    return { flags, urgentMessageIds: ids, safetyAdvice: advice.text };
  }

  /** A reply no one could read goes to a person. */
  /** A text that needs a person: unreadable, or (with `rule`) another reason such as a stop request in words. */
  async raiseUnreadable(
    m: EntityManager,
    input: { clinicId: string; patientId: string; treatmentId: string | null; messageId: string; reason: string; rule?: { id: string; version: number } },
  ): Promise<Flag> {
    const rule = input.rule ?? UNREADABLE_RULE;
    return this.raise(
      m,
      { clinicId: input.clinicId, patientId: input.patientId, treatmentId: input.treatmentId, messageId: input.messageId },
      { ruleId: rule.id, ruleVersion: rule.version, priority: 'normal', reason: input.reason, evidence: { messageId: input.messageId } },
    );
  }

  /**
   * Two check-ins in a row sent and never answered: someone should call the patient. One open
   * flag per treatment is enough.
   */
  async raiseLostToFollowUp(m: EntityManager, input: { clinicId: string; patientId: string; treatmentId: string; checkInIds: string[]; steps: number[] }): Promise<Flag | null> {
    const open = await m
      .getRepository(Flag)
      .createQueryBuilder('f')
      .where(`f.treatment_id = :t AND f.rule_id = :r AND f.status <> 'resolved'`, { t: input.treatmentId, r: LOST_RULE.id })
      .getExists();
    if (open) return null;
    return this.raise(
      m,
      { clinicId: input.clinicId, patientId: input.patientId, treatmentId: input.treatmentId },
      {
        ruleId: LOST_RULE.id,
        ruleVersion: LOST_RULE.version,
        priority: 'low',
        reason: `Lost to follow-up: check-ins ${input.steps.join(' and ')} went unanswered in a row; please call the patient.`,
        evidence: { checkInIds: input.checkInIds, steps: input.steps },
      },
    );
  }

  private async raise(
    m: EntityManager,
    ref: { clinicId: string; patientId: string; treatmentId: string | null; responseId?: string; messageId?: string },
    hit: RuleHit,
  ): Promise<Flag> {
    const now = this.clock.now();
    const repo = m.getRepository(Flag);
    const flag = await repo.save(
      repo.create({
        clinicId: ref.clinicId,
        patientId: ref.patientId,
        treatmentId: ref.treatmentId,
        responseId: ref.responseId ?? null,
        messageId: ref.messageId ?? null,
        ruleId: hit.ruleId,
        ruleVersion: hit.ruleVersion,
        priority: hit.priority,
        reason: hit.reason,
        evidence: hit.evidence,
        status: 'open',
        assigneeId: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
        resolvedBy: null,
        outcome: null,
        note: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await this.audit.record(m, {
      clinicId: ref.clinicId,
      actor: SYSTEM,
      action: 'flag.raised',
      entityType: 'flag',
      entityId: flag.id,
      data: { ruleId: hit.ruleId, ruleVersion: hit.ruleVersion, priority: hit.priority, patientId: ref.patientId, treatmentId: ref.treatmentId, responseId: ref.responseId ?? null, messageId: ref.messageId ?? null },
    });
    await this.recordEvent(m, flag, SYSTEM, 'raised', now, { ruleId: hit.ruleId, ruleVersion: hit.ruleVersion, priority: hit.priority });
    return flag;
  }

  /** Safety advice to the patient at once (quiet hours do not apply) and an alert to each practitioner. */
  private async queueUrgentMessages(
    m: EntityManager,
    clinic: Clinic,
    patient: Patient,
    flag: Flag,
    advice: { subject: string; text: string },
    replyChannel: Channel | null,
  ): Promise<string[]> {
    const ids: string[] = [];
    const channel = replyChannel && chooseChannel(patient, replyChannel) === replyChannel ? replyChannel : chooseChannel(patient);
    if (channel) {
      const msg = await this.messaging.enqueue(m, {
        clinicId: clinic.id,
        patientId: patient.id,
        channel,
        purpose: 'safety_advice',
        to: channel === 'sms' ? patient.phone! : patient.email!,
        from: channel === 'sms' ? clinic.smsFrom : null,
        subject: advice.subject,
        text: advice.text,
      });
      ids.push(msg.id);
    }
    // The caller's transaction holds a connection already: asking the pool for another can deadlock it.
    let staff = await this.clinics.staffWithRoles(clinic.id, ['practitioner'], m);
    if (!staff.length) staff = await this.clinics.staffWithRoles(clinic.id, ['admin'], m);
    const alert = staffAlert({ clinicName: clinic.name, priority: flag.priority, reason: flag.reason, flagUrl: `${this.config.publicBaseUrl}/v1/flags/${flag.id}` });
    for (const s of staff) {
      const viaSms = !!s.phone;
      const msg = await this.messaging.enqueue(m, {
        clinicId: clinic.id,
        staffUserId: s.id,
        channel: viaSms ? 'sms' : 'email',
        purpose: 'staff_alert',
        to: viaSms ? s.phone! : s.email,
        from: viaSms ? clinic.smsFrom : null,
        subject: alert.subject,
        text: alert.text,
      });
      ids.push(msg.id);
    }
    await this.audit.record(m, {
      clinicId: clinic.id,
      actor: SYSTEM,
      action: 'flag.urgent_messages_queued',
      entityType: 'flag',
      entityId: flag.id,
      data: { messageIds: ids, staffAlerted: staff.map((s) => s.id), adviceChannel: channel },
    });
    return ids;
  }

  /** The triage queue: most urgent first, newest first within a priority. */
  async list(clinicId: string, q: ListFlagsQuery): Promise<Page<Flag>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const qb = this.db
      .getRepository(Flag)
      .createQueryBuilder('f')
      .where('f.clinic_id = :clinicId', { clinicId })
      .orderBy(`CASE f.priority ${Object.entries(PRIORITY_RANK).map(([p, r]) => `WHEN '${p}' THEN ${r}`).join(' ')} END`, 'ASC')
      .addOrderBy('f.created_at', 'DESC')
      .take(limit)
      .skip(offset);
    if (q.status) qb.andWhere('f.status = :status', { status: q.status });
    if (q.priority) qb.andWhere('f.priority = :priority', { priority: q.priority });
    const [items, total] = await qb.getManyAndCount();
    return { items, total, limit, offset };
  }

  async get(clinicId: string, id: string): Promise<Flag & { history: FlagEvent[] }> {
    const f = await this.db.getRepository(Flag).findOneBy({ clinicId, id });
    if (!f) throw new NotFoundException('Flag not found');
    const [history] = await this.historyOf(clinicId, [f.id]);
    return { ...f, history };
  }

  /** The patient's flags, oldest first, each with its history in time order. */
  async listForPatient(clinicId: string, patientId: string): Promise<Array<Flag & { history: FlagEvent[] }>> {
    const flags = await this.db.getRepository(Flag).find({ where: { clinicId, patientId }, order: { createdAt: 'ASC' } });
    const histories = await this.historyOf(clinicId, flags.map((f) => f.id));
    return flags.map((f, i) => ({ ...f, history: histories[i] }));
  }

  /** Events per flag id, in time order (insertion order within one instant). */
  private async historyOf(clinicId: string, flagIds: string[]): Promise<FlagEvent[][]> {
    if (!flagIds.length) return [];
    const events = await this.db
      .getRepository(FlagEvent)
      .createQueryBuilder('e')
      .where('e.clinic_id = :clinicId AND e.flag_id IN (:...flagIds)', { clinicId, flagIds })
      .orderBy('e.at', 'ASC')
      .addOrderBy('e.seq', 'ASC')
      .getMany();
    return flagIds.map((id) => events.filter((e) => e.flagId === id));
  }

  private async recordEvent(m: EntityManager, flag: Flag, actor: Actor, kind: FlagEventKind, at: Date, data: Record<string, unknown>): Promise<void> {
    const repo = m.getRepository(FlagEvent);
    await repo.save(repo.create({ flagId: flag.id, clinicId: flag.clinicId, at, actorType: actor.type, actorId: actor.id, kind, data }));
  }

  /** Hands the flag to an active practitioner or admin of the same clinic. */
  async assign(clinicId: string, id: string, actor: Actor, dto: AssignFlagDto): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open', 'acknowledged'], async (f, _now, m) => {
      const assignee = await m.getRepository(StaffUser).findOneBy({ clinicId, id: dto.assigneeId });
      if (!assignee) throw new NotFoundException('Assignee not found in this clinic');
      if (!assignee.active) throw new BadRequestException('The assignee is not active');
      if (assignee.role !== 'practitioner' && assignee.role !== 'admin') throw new BadRequestException('The assignee must be a practitioner or an admin');
      const previous = f.assigneeId;
      f.assigneeId = dto.assigneeId;
      return { action: 'flag.assigned', data: { assigneeId: dto.assigneeId, previousAssigneeId: previous }, event: { kind: 'assigned', data: { assigneeId: dto.assigneeId, previousAssigneeId: previous } } };
    });
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
    return this.transition(clinicId, id, actor, ['resolved'], (f) => {
      const previousOutcome = f.outcome;
      f.status = 'open';
      f.outcome = null;
      f.resolvedAt = null;
      f.resolvedBy = null;
      return { action: 'flag.reopened', data: { previousOutcome, hasReason: true }, reason: dto.reason, event: { kind: 'reopened', data: { reason: dto.reason, previousOutcome } } };
    });
  }

  async acknowledge(clinicId: string, id: string, actor: Actor, dto: AcknowledgeFlagDto): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open'], (f, now) => {
      f.status = 'acknowledged';
      f.acknowledgedAt = now;
      f.acknowledgedBy = actor.id;
      if (!f.assigneeId) f.assigneeId = actor.id;
      if (dto.note) f.note = dto.note;
      return { action: 'flag.acknowledged', data: { hasNote: !!dto.note }, event: { kind: 'acknowledged', data: { assigneeId: f.assigneeId, ...(dto.note ? { note: dto.note } : {}) } } };
    });
  }

  async resolve(clinicId: string, id: string, actor: Actor, dto: ResolveFlagDto): Promise<Flag> {
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
    });
  }

  private async transition(
    clinicId: string,
    id: string,
    actor: Actor,
    from: Flag['status'][],
    apply: (f: Flag, now: Date, m: EntityManager) => TransitionResult | Promise<TransitionResult>,
  ): Promise<Flag> {
    return this.db.transaction(async (m) => {
      const f = await m.getRepository(Flag).findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
      if (!f) throw new NotFoundException('Flag not found');
      if (!from.includes(f.status)) throw new ConflictException(`The flag is ${f.status}; this needs it ${from.join(' or ')}`);
      const now = this.clock.now();
      const prior = f.status;
      const before = { ...f };
      const { action, data, event, reason } = await apply(f, now, m);
      f.updatedAt = now;
      await m.getRepository(Flag).save(f);
      // Before/after of every triage field the step changed (values go to the redactable payload).
      const changes = changedFields(before, f, FLAG_TRIAGE_FIELDS);
      await this.audit.record(m, { clinicId, actor, action, entityType: 'flag', entityId: id, data: { from: prior, to: f.status, ...data }, changes, ...(reason ? { reason } : {}) });
      await this.recordEvent(m, f, actor, event.kind, now, event.data);
      return f;
    });
  }
}
