import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, SYSTEM } from '../common/actor';
import { changedFields } from '../audit/field-changes';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { ASSIGNABLE_ROLES, StaffUser } from '../clinics/staff-user.entity';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { Page } from '../common/pagination';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MessagingService } from '../messaging/messaging.service';
import { Channel, chooseChannel, Patient } from '../patients/patient.entity';
import { WarningSign } from '../protocols/questions';
import { safetyAdvice, staffAlert, textsFor } from '../protocols/texts';
import { smsSegments } from '../common/sms-segments';
import { AcknowledgeFlagDto, AssignFlagDto, FlagNoteDto, ListFlagsQuery, ReopenFlagDto, ResolveFlagDto } from './dto/flag.dto';
import { FlagEvent, FlagEventKind } from './flag-event.entity';
import { Flag, FLAG_PRIORITIES } from './flag.entity';
import { FlagCase } from './flag-case.entity';
import { queryRows } from '../database/query-rows';
import { AnswerForRules, evaluateRules, PRIORITY_RANK, RuleHit } from './rules';
import { OnCallService } from '../on-call/on-call.service';
import { queueStaffAlerts } from './staff-alerts';
import { ASSESSMENT_FIELDS, assessmentError, orderedCriteria } from './assessment';
import { AssessFlagDto } from './dto/assess-flag.dto';
import { lockKey } from '../database/advisory-lock';
import { ExpectedCourse } from '../protocols/expected-course';
import { announceChange, FlagChangeKind, lockPatientCases, placeInCase, refreshCase } from './flag-cases';

/** What the case queue is filtered by; `assigneeId: null` means unassigned. */
export interface CaseFilter {
  statuses: Array<'open' | 'acknowledged' | 'resolved'>;
  priority?: Flag['priority'];
  assigneeId?: string | null;
  ruleId?: string;
}

/** A flag as the case views show it (a Flag entity is one). */
export interface CaseFlagView {
  id: string;
  caseId: string | null;
  ruleId: string;
  priority: Flag['priority'];
  status: Flag['status'];
  reason: string;
  createdAt: Date;
  responseId: string | null;
  messageId: string | null;
  evidence: Record<string, unknown>;
}

/** A case of the queue's page with what the queue shows of its patient, treatment, assignee and unresolved flags. */
export interface QueueCase {
  id: string;
  status: FlagCase['status'];
  priority: Flag['priority'];
  patientId: string;
  treatmentId: string | null;
  assigneeId: string | null;
  waitingSince: Date;
  patient: { id: string; givenName: string; familyName: string; birthYear: number | null };
  treatment: { id: string; procedure: string; product: string; performedAt: Date } | null;
  assignee: { id: string; name: string } | null;
  flags: CaseFlagView[];
}

export interface QueuePage {
  items: QueueCase[];
  total: number;
  counts: Record<Flag['priority'], number>;
  timeZone: string;
}

/** One row of the queue's statement: a flag of a case of the page (or the one row of an empty page). */
interface QueueRow {
  counts: number[] | null;
  total: number | null;
  timeZone: string | null;
  id: string | null;
  status: FlagCase['status'];
  priority: Flag['priority'];
  waitingSince: Date;
  patientId: string;
  givenName: string;
  familyName: string;
  birthYear: number | null;
  treatmentId: string | null;
  procedure: string | null;
  product: string | null;
  performedAt: Date | null;
  assigneeId: string | null;
  assigneeName: string | null;
  flagId: string | null;
  ruleId: string | null;
  flagPriority: Flag['priority'] | null;
  flagStatus: Flag['status'] | null;
  reason: string | null;
  createdAt: Date | null;
  responseId: string | null;
  messageId: string | null;
  evidenceHistory: unknown;
}

export interface Evaluation {
  flags: Flag[];
  /** Queued in the caller's transaction; deliver them right after it commits. */
  urgentMessageIds: string[];
  safetyAdvice: string | null;
}

/** What raise() did: a new flag, or evidence joined to the unresolved one (and what it had seen). */
interface Raised {
  flag: Flag;
  merged: boolean;
  /** The rule evidence of every earlier piece on a merged flag, oldest first. */
  seenBefore: Array<Record<string, unknown>>;
  /** The evidence took an acknowledged flag back to open: news for whoever acknowledged it. */
  reopened: boolean;
}

/** One piece of evidence on a flag, as kept in `evidence.history`. */
interface EvidencePiece {
  at: string;
  responseId: string | null;
  messageId: string | null;
  ruleVersion: number;
  priority: string;
  reason: string;
  evidence: Record<string, unknown>;
}

/** Every piece so far: the stored history, or (first merge) the flag's own first evidence. */
function evidenceHistory(flag: Flag): EvidencePiece[] {
  const stored = flag.evidence.history;
  if (Array.isArray(stored)) return stored as EvidencePiece[];
  return [
    {
      at: flag.createdAt.toISOString(),
      responseId: flag.responseId,
      messageId: flag.messageId,
      ruleVersion: flag.ruleVersion,
      priority: flag.priority,
      reason: flag.reason,
      evidence: flag.evidence,
    },
  ];
}

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

const UNREADABLE_RULE = { id: 'unreadable-reply', version: 1 };
const LOST_RULE = { id: 'lost-to-follow-up', version: 1 };

/**
 * One key per treatment (not per rule): an answer raising several rules takes it once (the lock
 * is re-entrant), so two answers cannot deadlock on rule order; reopen takes it too.
 */
function lockTreatmentFlags(m: EntityManager, treatmentId: string): Promise<void> {
  return lockKey(m, `flags:treatment:${treatmentId}`);
}

/** The fields triage changes; their before/after goes with each triage step's audit event. */
const FLAG_TRIAGE_FIELDS = ['status', 'priority', 'assigneeId', 'acknowledgedAt', 'acknowledgedBy', 'resolvedAt', 'resolvedBy', 'outcome', 'note'] as const;

@Injectable()
export class FlagsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly messaging: MessagingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly onCall: OnCallService,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Runs the rules on a stored answer; flags, safety advice and staff alerts in the caller's
   * transaction. A warning sign always gets safety advice to the patient, also when its evidence
   * joins a warning-sign flag already open; staff are alerted again only when the answer brings
   * a warning sign that flag had not seen (the same sign again is in the flag's history).
   */
  async evaluate(
    m: EntityManager,
    input: {
      clinic: Clinic;
      patient: Patient;
      treatmentId: string;
      responseId: string;
      current: AnswerForRules;
      /** The patient's earlier answers in this follow-up, oldest first. */
      history: AnswerForRules[];
      course: ExpectedCourse;
      replyChannel: Channel | null;
      /** Safety advice by SMS ends by asking for a photo (the answer came without one): the patient can reply with an MMS. */
      invitePhoto?: boolean;
      /** The course's first session: the answer's flags join the patient's case of that course. */
      courseId?: string | null;
    },
  ): Promise<Evaluation> {
    const hits = evaluateRules({ current: input.current, history: input.history, course: input.course });
    const raised: Array<Raised & { hit: RuleHit }> = [];
    for (const hit of hits) {
      const r = await this.raise(m, { clinicId: input.clinic.id, patientId: input.patient.id, treatmentId: input.treatmentId, responseId: input.responseId, courseId: input.courseId }, hit);
      raised.push({ ...r, hit });
    }
    const flags = raised.map((r) => r.flag);
    const urgent = raised.find((r) => r.hit.priority === 'urgent');
    if (!urgent) return { flags, urgentMessageIds: [], safetyAdvice: null };
    const signs = (urgent.hit.evidence.signs as WarningSign[] | undefined) ?? [];
    const newSigns = signs.filter((sign) => !urgent.seenBefore.some((e) => ((e.signs as string[] | undefined) ?? []).includes(sign)));
    // Staff hear of it when the flag is new, brings a new sign, or was acknowledged and is news again.
    const alertStaff = !urgent.merged || newSigns.length > 0 || urgent.reopened;
    const advice = safetyAdvice(input.patient.locale, input.clinic, input.clinic.phone, signs);
    const ids = await this.queueUrgentMessages(m, input.clinic, input.patient, urgent.flag, advice, input.replyChannel, alertStaff, input.invitePhoto ?? false);
    return { flags, urgentMessageIds: ids, safetyAdvice: advice.text };
  }

  /** A reply no one could read goes to a person. */
  /** A text that needs a person: unreadable, or (with `rule`) another reason such as a stop request in words. */
  async raiseUnreadable(
    m: EntityManager,
    input: { clinicId: string; patientId: string; treatmentId: string | null; messageId: string; reason: string; rule?: { id: string; version: number } },
  ): Promise<Flag> {
    const rule = input.rule ?? UNREADABLE_RULE;
    // Another unreadable text on the same treatment joins the open flag: one person reads them all.
    const { flag } = await this.raise(
      m,
      { clinicId: input.clinicId, patientId: input.patientId, treatmentId: input.treatmentId, messageId: input.messageId },
      { ruleId: rule.id, ruleVersion: rule.version, priority: 'normal', reason: input.reason, evidence: { messageId: input.messageId } },
    );
    return flag;
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
    const { flag } = await this.raise(
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
    return flag;
  }

  /**
   * One open flag per treatment and rule: a hit for a rule whose flag on this treatment is not
   * resolved (open or acknowledged) joins it as evidence instead of raising another; a resolved
   * flag stays resolved and new evidence raises a new one. Serialised per treatment by a
   * transaction-scoped advisory lock, so concurrent answers merge rather than trip the unique
   * index (flags_one_open_per_treatment_rule). Flags without a treatment are never merged.
   */
  private async raise(
    m: EntityManager,
    ref: { clinicId: string; patientId: string; treatmentId: string | null; responseId?: string; messageId?: string; courseId?: string | null },
    hit: RuleHit,
  ): Promise<Raised> {
    const now = this.clock.now();
    const repo = m.getRepository(Flag);
    // The patient's cases before the treatment's flags: every path that changes flags takes this first.
    await lockPatientCases(m, ref.patientId);
    if (ref.treatmentId) {
      await lockTreatmentFlags(m, ref.treatmentId);
      const open = await repo
        .createQueryBuilder('f')
        .where(`f.clinic_id = :c AND f.treatment_id = :t AND f.rule_id = :r AND f.status <> 'resolved'`, { c: ref.clinicId, t: ref.treatmentId, r: hit.ruleId })
        .setLock('pessimistic_write')
        .getOne();
      if (open) return this.addEvidence(m, open, ref, hit, now);
    }
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
    this.metrics.flagRaised(hit.priority);
    await placeInCase(m, flag, ref.courseId !== undefined ? ref.courseId : ref.treatmentId, now);
    await announceChange(m, flag, 'raised');
    return { flag, merged: false, seenBefore: [], reopened: false };
  }

  /**
   * New evidence joins an unresolved flag. Every piece is kept, oldest first, in
   * `evidence.history` (each with its time, response or message, rule version, priority, reason
   * and the rule's evidence); the top level shows the latest piece, and `reason` the latest
   * reason. The priority can rise, never fall. A flag whose priority rises goes back to `open`
   * (acknowledgement cleared, assignee kept): it is news the acknowledger has not seen, it is
   * back at the top of the open queue, and escalation times it from the `priority_raised` event.
   * An urgent report on an acknowledged urgent flag (fever again ten days later) is news too:
   * back to open, staff alerted, and escalation timed from its `evidence_added` event (which
   * carries statusFrom/statusTo). Other evidence at the same priority leaves the status alone.
   */
  private async addEvidence(
    m: EntityManager,
    flag: Flag,
    ref: { responseId?: string; messageId?: string },
    hit: RuleHit,
    now: Date,
  ): Promise<Raised> {
    const earlier = evidenceHistory(flag);
    const piece: EvidencePiece = {
      at: now.toISOString(),
      responseId: ref.responseId ?? null,
      messageId: ref.messageId ?? null,
      ruleVersion: hit.ruleVersion,
      priority: hit.priority,
      reason: hit.reason,
      evidence: hit.evidence,
    };
    const before = { priority: flag.priority, status: flag.status };
    const raises = PRIORITY_RANK[hit.priority] < PRIORITY_RANK[flag.priority];
    const urgentAgain = !raises && hit.priority === 'urgent' && flag.status === 'acknowledged';
    flag.evidence = { ...hit.evidence, history: [...earlier, piece] };
    flag.reason = hit.reason;
    if (raises) flag.priority = hit.priority;
    if ((raises || urgentAgain) && flag.status === 'acknowledged') {
      flag.status = 'open';
      flag.acknowledgedAt = null;
      flag.acknowledgedBy = null;
    }
    const reopened = before.status !== flag.status;
    flag.updatedAt = now;
    await m.getRepository(Flag).save(flag);
    const refIds = { responseId: piece.responseId, messageId: piece.messageId };
    await this.audit.record(m, {
      clinicId: flag.clinicId,
      actor: SYSTEM,
      action: 'flag.evidence_added',
      entityType: 'flag',
      entityId: flag.id,
      data: { ruleId: flag.ruleId, ruleVersion: hit.ruleVersion, priority: hit.priority, pieces: earlier.length + 1, ...refIds, fields: urgentAgain ? ['evidence', 'reason', 'status'] : ['evidence', 'reason'] },
      ...(urgentAgain ? { changes: changedFields(before, { priority: flag.priority, status: flag.status }, ['status']) } : {}),
    });
    await this.recordEvent(m, flag, SYSTEM, 'evidence_added', now, {
      ...refIds,
      ruleVersion: hit.ruleVersion,
      priority: hit.priority,
      reason: hit.reason,
      ...(urgentAgain ? { statusFrom: before.status, statusTo: flag.status } : {}),
    });
    if (raises) {
      await this.audit.record(m, {
        clinicId: flag.clinicId,
        actor: SYSTEM,
        action: 'flag.priority_raised',
        entityType: 'flag',
        entityId: flag.id,
        data: { from: before.priority, to: flag.priority, ...refIds, fields: before.status !== flag.status ? ['priority', 'status'] : ['priority'] },
        changes: changedFields(before, { priority: flag.priority, status: flag.status }, ['priority', 'status']),
      });
      await this.recordEvent(m, flag, SYSTEM, 'priority_raised', now, { from: before.priority, to: flag.priority, ...refIds, ...(before.status !== flag.status ? { statusFrom: before.status, statusTo: flag.status } : {}) });
    }
    if (flag.caseId) await refreshCase(m, flag.caseId, now);
    else await placeInCase(m, flag, flag.treatmentId, now);
    if (raises) await announceChange(m, flag, 'reprioritised');
    else if (reopened) await announceChange(m, flag, 'reopened');
    return { flag, merged: true, seenBefore: earlier.map((e) => e.evidence), reopened };
  }

  /**
   * Safety advice to the patient at once (quiet hours do not apply), and an SMS and an email to
   * each on-call practitioner (by the rota; else every practitioner, else the admins).
   */
  private async queueUrgentMessages(
    m: EntityManager,
    clinic: Clinic,
    patient: Patient,
    flag: Flag,
    advice: { subject: string; text: string; sms: string },
    replyChannel: Channel | null,
    alertStaff = true,
    invitePhoto = false,
  ): Promise<string[]> {
    const ids: string[] = [];
    const live = this.messaging.liveChannels(clinic.smsFrom);
    const channel = replyChannel && chooseChannel(patient, replyChannel, live) === replyChannel ? replyChannel : chooseChannel(patient, null, live);
    if (channel) {
      const msg = await this.messaging.enqueue(m, {
        clinicId: clinic.id,
        patientId: patient.id,
        channel,
        purpose: 'safety_advice',
        to: channel === 'sms' ? patient.phone! : patient.email!,
        // The clinic is the sender the patient sees, as on every other patient email.
        from: channel === 'sms' ? clinic.smsFrom : emailSenderOf(clinic, this.config.emailFrom, this.config.emailFromDomains),
        subject: advice.subject,
        // By SMS: the clinic's SMS name, in two segments; the photo invitation only where it still fits.
        text: channel === 'sms' ? withPhotoInvite(advice.sms, invitePhoto ? textsFor(patient.locale).photos.invite : null) : advice.text,
      });
      ids.push(msg.id);
    }
    // The caller's transaction holds a connection already: asking the pool for another can deadlock it.
    // alertStaff false: the same warning sign again on a flag staff were alerted to; advice only.
    const { staff, source } = alertStaff ? await this.onCall.recipientsAt(m, clinic, this.clock.now()) : { staff: [], source: 'none' as const };
    const alert = staffAlert({ locale: clinic.staffLocale, clinicName: clinic.name, priority: flag.priority, reason: flag.reason, flagUrl: `${this.config.publicBaseUrl}/app/flags/${flag.id}` });
    const queued = await queueStaffAlerts(this.messaging, m, clinic, staff, alert);
    ids.push(...queued.messageIds);
    await this.audit.record(m, {
      clinicId: clinic.id,
      actor: SYSTEM,
      action: 'flag.urgent_messages_queued',
      entityType: 'flag',
      entityId: flag.id,
      data: { messageIds: ids, staffAlerted: staff.map((s) => s.id), alertedBy: source, adviceChannel: channel },
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

  /** Hands the flag to an active practitioner or admin of the same clinic; `assigneeId: null` (cases) unassigns it. In `m` when given. */
  async assign(clinicId: string, id: string, actor: Actor, dto: AssignFlagDto | { assigneeId: string | null }, m?: EntityManager): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open', 'acknowledged'], async (f, _now, m) => {
      if (dto.assigneeId !== null) {
        const assignee = await m.getRepository(StaffUser).findOneBy({ clinicId, id: dto.assigneeId });
        if (!assignee) throw new NotFoundException('Assignee not found in this clinic');
        if (!assignee.active) throw new BadRequestException('The assignee is not active');
        if (!ASSIGNABLE_ROLES.includes(assignee.role)) throw new BadRequestException('The assignee must be a practitioner or an admin');
      }
      const previous = f.assigneeId;
      f.assigneeId = dto.assigneeId;
      return { action: 'flag.assigned', data: { assigneeId: dto.assigneeId, previousAssigneeId: previous }, event: { kind: 'assigned', data: { assigneeId: dto.assigneeId, previousAssigneeId: previous } } };
    }, m);
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
    return this.transition(clinicId, id, actor, ['resolved'], async (f, _now, m) => {
      // One unresolved flag per treatment and rule: evidence after the resolution already raised a new one.
      if (f.treatmentId) {
        await lockTreatmentFlags(m, f.treatmentId);
        const other = await m
          .getRepository(Flag)
          .createQueryBuilder('o')
          .where(`o.clinic_id = :c AND o.treatment_id = :t AND o.rule_id = :r AND o.status <> 'resolved' AND o.id <> :id`, { c: clinicId, t: f.treatmentId, r: f.ruleId, id: f.id })
          .getOne();
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

  /** In `m` when given (a case acts on its flags in one transaction). */
  async acknowledge(clinicId: string, id: string, actor: Actor, dto: AcknowledgeFlagDto, m?: EntityManager): Promise<Flag> {
    return this.transition(clinicId, id, actor, ['open'], (f, now) => {
      f.status = 'acknowledged';
      f.acknowledgedAt = now;
      f.acknowledgedBy = actor.id;
      if (!f.assigneeId) f.assigneeId = actor.id;
      if (dto.note) f.note = dto.note;
      return { action: 'flag.acknowledged', data: { hasNote: !!dto.note }, event: { kind: 'acknowledged', data: { assigneeId: f.assigneeId, ...(dto.note ? { note: dto.note } : {}) } } };
    }, m);
  }

  /** In `m` when given (a case acts on its flags in one transaction). */
  async resolve(clinicId: string, id: string, actor: Actor, dto: ResolveFlagDto, m?: EntityManager): Promise<Flag> {
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
    }, m);
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

  // --- Cases (see flag-cases.ts): read by the triage module's case view ---

  /**
   * A page of the clinic's cases: most urgent first (stored rank), oldest first within a
   * priority; the total under the filters; and counts per priority under the status filter alone.
   */
  /**
   * The triage queue's page in one statement: the cases (`flag_cases_queue_idx` order), each
   * joined to its patient, treatment, assignee and unresolved flags (a row per flag), beside the
   * stored counts per priority, the clinic's time zone and (for an assignee or rule filter) the
   * count of that part by index. Typed rows, no entity hydration: this is the console's busiest read.
   */
  async queueCases(clinicId: string, filter: CaseFilter, limit: number, offset: number): Promise<QueuePage> {
    // Both unresolved statuses as `<> 'resolved'`: the predicate of the queue's partial index.
    const both = filter.statuses.length === 2 && !filter.statuses.includes('resolved');
    // One status as `=`: `flag_cases_status_idx` then gives the page in order, without a sort.
    const statusCond = both ? `c.status <> 'resolved'` : filter.statuses.length === 1 ? 'c.status = $2' : 'c.status = ANY($2::text[])';
    const where: string[] = ['c.clinic_id = $1', statusCond];
    const params: unknown[] = both ? [clinicId] : [clinicId, filter.statuses.length === 1 ? filter.statuses[0] : filter.statuses];
    if (filter.priority) where.push(`c.priority_rank = $${params.push(PRIORITY_RANK[filter.priority])}`);
    if (filter.assigneeId === null) where.push('c.assignee_id IS NULL');
    else if (filter.assigneeId) where.push(`c.assignee_id = $${params.push(filter.assigneeId)}::uuid`);
    if (filter.ruleId) where.push(`$${params.push(filter.ruleId)} = ANY(c.rule_ids)`);
    const cond = where.join(' AND ');
    // The total under the status and priority filters is read from the stored counts (no scan);
    // an assignee or rule filter counts its (smaller) part by index.
    const narrowed = filter.assigneeId !== undefined || !!filter.ruleId || filter.statuses.includes('resolved');
    const rows = await queryRows<QueueRow>(
      this.db,
      `WITH page AS (
         SELECT c.id, c.status, c.priority, c.priority_rank, c.patient_id, c.treatment_id, c.assignee_id, c.waiting_since
           FROM flag_cases c WHERE ${cond} ORDER BY c.priority_rank, c.waiting_since, c.id LIMIT ${Number(limit)} OFFSET ${Number(offset)})
       SELECT k.counts, k.total, k."timeZone", r.*
         FROM (SELECT (SELECT counts FROM flag_case_counts WHERE clinic_id = $1) AS counts,
                      (SELECT time_zone FROM clinics WHERE id = $1) AS "timeZone",
                      ${narrowed ? `(SELECT count(*)::int FROM flag_cases c WHERE ${cond})` : 'NULL::int'} AS total) k
         LEFT JOIN (
           SELECT page.id, page.status, page.priority, page.priority_rank AS rank, page.waiting_since AS "waitingSince",
                  page.patient_id AS "patientId", p.given_name AS "givenName", p.family_name AS "familyName", p.birth_year AS "birthYear",
                  page.treatment_id AS "treatmentId", t.procedure, t.product, t.performed_at AS "performedAt",
                  page.assignee_id AS "assigneeId", s.name AS "assigneeName",
                  f.id AS "flagId", f.rule_id AS "ruleId", f.priority AS "flagPriority", f.status AS "flagStatus", f.reason,
                  f.created_at AS "createdAt", f.response_id AS "responseId", f.message_id AS "messageId", f.evidence -> 'history' AS "evidenceHistory"
             FROM page
             JOIN patients p ON p.clinic_id = $1 AND p.id = page.patient_id
             LEFT JOIN treatments t ON t.clinic_id = $1 AND t.id = page.treatment_id
             LEFT JOIN staff_users s ON s.clinic_id = $1 AND s.id = page.assignee_id
             LEFT JOIN flags f ON f.clinic_id = $1 AND f.case_id = page.id AND f.status <> 'resolved'
         ) r ON true
        ORDER BY r.rank, r."waitingSince", r.id, r."createdAt", r."flagId"`,
      params,
    );
    const stored = rows[0]?.counts ?? [0, 0, 0, 0, 0, 0, 0, 0];
    const counts = { urgent: 0, high: 0, normal: 0, low: 0 };
    FLAG_PRIORITIES.forEach((p, rank) => {
      counts[p] = (filter.statuses.includes('open') ? stored[rank] : 0) + (filter.statuses.includes('acknowledged') ? stored[4 + rank] : 0);
    });
    const total = narrowed ? rows[0].total! : filter.priority ? counts[filter.priority] : Object.values(counts).reduce((a, b) => a + b, 0);
    const items: QueueCase[] = [];
    for (const r of rows) {
      if (!r.id) continue; // the one row of an empty page
      let item = items[items.length - 1];
      if (item?.id !== r.id) {
        item = {
          id: r.id,
          status: r.status,
          priority: r.priority,
          patientId: r.patientId,
          treatmentId: r.treatmentId,
          assigneeId: r.assigneeId,
          waitingSince: r.waitingSince,
          patient: { id: r.patientId, givenName: r.givenName, familyName: r.familyName, birthYear: r.birthYear },
          treatment: r.treatmentId && r.performedAt ? { id: r.treatmentId, procedure: r.procedure!, product: r.product!, performedAt: r.performedAt } : null,
          assignee: r.assigneeId && r.assigneeName !== null ? { id: r.assigneeId, name: r.assigneeName } : null,
          flags: [],
        };
        items.push(item);
      }
      if (r.flagId) {
        item.flags.push({
          id: r.flagId,
          caseId: r.id,
          ruleId: r.ruleId!,
          priority: r.flagPriority!,
          status: r.flagStatus!,
          reason: r.reason!,
          createdAt: r.createdAt!,
          responseId: r.responseId,
          messageId: r.messageId,
          evidence: r.evidenceHistory === null ? {} : { history: r.evidenceHistory },
        });
      }
    }
    return { items, total, counts, timeZone: rows[0]?.timeZone ?? 'UTC' };
  }

  /** One case of the clinic; 404 for another clinic's. */
  async getCase(clinicId: string, id: string, m: EntityManager = this.db.manager): Promise<FlagCase> {
    const c = await m.getRepository(FlagCase).findOneBy({ clinicId, id });
    if (!c) throw new NotFoundException('Case not found');
    return c;
  }

  /** The flags of these cases, oldest first; `withHistory` adds each flag's history. */
  async flagsOfCases(clinicId: string, caseIds: string[], opts: { unresolvedOnly: boolean; withHistory: boolean }, m: EntityManager = this.db.manager): Promise<Array<Flag & { history?: FlagEvent[] }>> {
    if (!caseIds.length) return [];
    const qb = m.getRepository(Flag).createQueryBuilder('f').where('f.clinic_id = :clinicId AND f.case_id IN (:...caseIds)', { clinicId, caseIds });
    if (opts.unresolvedOnly) qb.andWhere(`f.status <> 'resolved'`);
    const flags = await qb.orderBy('f.created_at', 'ASC').addOrderBy('f.id', 'ASC').getMany();
    if (!opts.withHistory) return flags;
    const histories = await this.historyOf(clinicId, flags.map((f) => f.id));
    return flags.map((f, i) => ({ ...f, history: histories[i] }));
  }

  /** Before a case action: the patient's cases locked (as every flag change does). */
  lockCase(m: EntityManager, c: FlagCase): Promise<void> {
    return lockPatientCases(m, c.patientId);
  }

  // --- For coordinating features (triage), in the caller's transaction ---

  /** The flag locked for a triage step; 404 for another clinic's, 409 naming its state when not in `from`. */
  async lockForTriage(m: EntityManager, clinicId: string, id: string, from: Flag['status'][]): Promise<Flag> {
    const f = await m.getRepository(Flag).findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
    if (!f) throw new NotFoundException('Flag not found');
    if (!from.includes(f.status)) throw new ConflictException(`The flag is ${f.status}; this needs it ${from.join(' or ')}`);
    return f;
  }

  /** A step in the flag's history and its audit event (ids and field names only). */
  async recordTriageStep(m: EntityManager, flag: Flag, actor: Actor, step: { kind: FlagEventKind; eventData: Record<string, unknown>; action: string; auditData: Record<string, unknown> }): Promise<void> {
    const now = this.clock.now();
    await m.update(Flag, { id: flag.id }, { updatedAt: now });
    await this.audit.record(m, { clinicId: flag.clinicId, actor, action: step.action, entityType: 'flag', entityId: flag.id, data: step.auditData });
    await this.recordEvent(m, flag, actor, step.kind, now, step.eventData);
  }

  private async transition(
    clinicId: string,
    id: string,
    actor: Actor,
    from: Flag['status'][],
    apply: (f: Flag, now: Date, m: EntityManager) => TransitionResult | Promise<TransitionResult>,
    outer?: EntityManager,
  ): Promise<Flag> {
    const run = async (m: EntityManager) => {
      // The patient's cases first (as raising does), then the flag's row: no lock cycle with new evidence.
      const owner = await m.getRepository(Flag).findOne({ where: { clinicId, id }, select: { id: true, patientId: true } });
      if (!owner) throw new NotFoundException('Flag not found');
      await lockPatientCases(m, owner.patientId);
      const f = await this.lockForTriage(m, clinicId, id, from);
      const now = this.clock.now();
      const prior = f.status;
      const before = { ...f };
      const { action, data, event, reason, fields } = await apply(f, now, m);
      f.updatedAt = now;
      await m.getRepository(Flag).save(f);
      // Before/after of every field the step changed (values go to the redactable payload).
      const changes = changedFields(before, f, fields ?? FLAG_TRIAGE_FIELDS);
      const names = fields ? { fields: Object.keys(changes) } : {};
      await this.audit.record(m, { clinicId, actor, action, entityType: 'flag', entityId: id, data: { from: prior, to: f.status, ...names, ...data }, changes, ...(reason ? { reason } : {}) });
      await this.recordEvent(m, f, actor, event.kind, now, event.data);
      if (event.kind === 'reopened') await placeInCase(m, f, await this.courseOfCase(m, f), now);
      else if (f.caseId) await refreshCase(m, f.caseId, now);
      if (ANNOUNCED.has(event.kind)) await announceChange(m, f, event.kind as FlagChangeKind);
      return f;
    };
    return outer ? run(outer) : this.db.transaction(run);
  }

  /** The course of the case a flag was last in (its treatment when it had none). */
  private async courseOfCase(m: EntityManager, f: Flag): Promise<string | null> {
    if (!f.caseId) return f.treatmentId;
    const [row] = await m.query(`SELECT course_id FROM flag_cases WHERE id = $1`, [f.caseId]);
    return row ? row.course_id : f.treatmentId;
  }
}

/** Triage steps that change what the queue shows; a note or an assessment does not. */
const ANNOUNCED = new Set<FlagEventKind>(['acknowledged', 'resolved', 'reopened', 'assigned']);

/** The SMS safety advice with the photo invitation after it, unless that would take it past two segments. */
function withPhotoInvite(sms: string, invite: string | null): string {
  if (!invite) return sms;
  const withInvite = `${sms} ${invite}`;
  return smsSegments(withInvite).segments <= 2 ? withInvite : sms;
}
