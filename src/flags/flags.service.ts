import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { changedFields } from '../audit/field-changes';
import { Clinic } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { Channel, Patient } from '../patients/patient.entity';
import { ExpectedCourse } from '../protocols/expected-course';
import { WarningSign } from '../protocols/questions';
import { safetyAdvice } from '../protocols/texts';
import { EvidenceMerge, FlagRef, mergeEvidence, newFlagFields } from './evidence';
import { FlagCasesService } from './flag-cases.service';
import { Flag } from './flag.entity';
import { FlagsRepository } from './flags.repository';
import { AnswerForRules, evaluateRules, RuleHit } from './rules';
import { UrgentMessagesService } from './urgent-messages.service';

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

const UNREADABLE_RULE = { id: 'unreadable-reply', version: 1 };
const LOST_RULE = { id: 'lost-to-follow-up', version: 1 };

/**
 * Decides whether evidence raises a new flag or joins the unresolved flag of its treatment and
 * rule, and whether an urgent one alerts staff again: rule hits on answers, unreadable texts and
 * lost to follow-up, stored in the caller's transaction with their audit events and cases.
 */
@Injectable()
export class FlagsService {
  constructor(
    private readonly repo: FlagsRepository,
    private readonly cases: FlagCasesService,
    private readonly urgent: UrgentMessagesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Runs the rules on a stored answer; flags, safety advice and staff alerts in the caller's
   * transaction. A warning sign always gets safety advice to the patient, also when its evidence
   * joins a warning-sign flag already open; staff are alerted again only when the answer brings
   * a warning sign that flag had not seen (the same sign again is in the flag's history).
   */
  async evaluate(
    manager: EntityManager,
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
      const r = await this.raise(manager, { clinicId: input.clinic.id, patientId: input.patient.id, treatmentId: input.treatmentId, responseId: input.responseId, courseId: input.courseId }, hit);
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
    const ids = await this.urgent.queue(manager, input.clinic, input.patient, urgent.flag, { advice, replyChannel: input.replyChannel, alertStaff, invitePhoto: input.invitePhoto ?? false });
    return { flags, urgentMessageIds: ids, safetyAdvice: advice.text };
  }

  /** A text that needs a person: unreadable, or (with `rule`) another reason such as a stop request in words. */
  async raiseUnreadable(
    manager: EntityManager,
    input: { clinicId: string; patientId: string; treatmentId: string | null; messageId: string; reason: string; rule?: { id: string; version: number } },
  ): Promise<Flag> {
    const rule = input.rule ?? UNREADABLE_RULE;
    // Another unreadable text on the same treatment joins the open flag: one person reads them all.
    const { flag } = await this.raise(
      manager,
      { clinicId: input.clinicId, patientId: input.patientId, treatmentId: input.treatmentId, messageId: input.messageId },
      { ruleId: rule.id, ruleVersion: rule.version, priority: 'normal', reason: input.reason, evidence: { messageId: input.messageId } },
    );
    return flag;
  }

  /**
   * Two check-ins in a row sent and never answered: someone should call the patient. One open
   * flag per treatment is enough.
   */
  async raiseLostToFollowUp(manager: EntityManager, input: { clinicId: string; patientId: string; treatmentId: string; checkInIds: string[]; steps: number[] }): Promise<Flag | null> {
    if (await this.repo.unresolvedOf(manager, { clinicId: input.clinicId, treatmentId: input.treatmentId, ruleId: LOST_RULE.id })) return null;
    const { flag } = await this.raise(
      manager,
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
  private async raise(manager: EntityManager, ref: FlagRef, hit: RuleHit): Promise<Raised> {
    const now = this.clock.now();
    // The patient's cases before the treatment's flags: every path that changes flags takes this first.
    await this.cases.lockPatientCases(manager, ref.patientId);
    if (ref.treatmentId) {
      await this.repo.lockTreatmentFlags(manager, ref.treatmentId);
      const open = await this.repo.unresolvedOf(manager, { clinicId: ref.clinicId, treatmentId: ref.treatmentId, ruleId: hit.ruleId }, { lock: true });
      if (open) return this.addEvidence(manager, open, ref, hit, now);
    }
    const flag = await this.repo.insert(manager, newFlagFields(ref, hit, now));
    await this.audit.record(manager, {
      clinicId: ref.clinicId,
      actor: SYSTEM,
      action: 'flag.raised',
      entityType: 'flag',
      entityId: flag.id,
      data: { ruleId: hit.ruleId, ruleVersion: hit.ruleVersion, priority: hit.priority, patientId: ref.patientId, treatmentId: ref.treatmentId, responseId: ref.responseId ?? null, messageId: ref.messageId ?? null },
    });
    await this.repo.insertEvent(manager, flag, SYSTEM, 'raised', now, { ruleId: hit.ruleId, ruleVersion: hit.ruleVersion, priority: hit.priority });
    this.metrics.flagRaised(hit.priority);
    await this.cases.place(manager, flag, ref.courseId !== undefined ? ref.courseId : ref.treatmentId, now);
    await this.cases.announce(manager, flag, 'raised');
    return { flag, merged: false, seenBefore: [], reopened: false };
  }

  /**
   * New evidence joins an unresolved flag (see mergeEvidence for what changes). A flag whose
   * priority rises is back at the top of the open queue, and escalation times it from the
   * `priority_raised` event. An urgent report on an acknowledged urgent flag (fever again ten
   * days later) is back to open, staff alerted, and escalation timed from its `evidence_added`
   * event (which carries statusFrom/statusTo).
   */
  private async addEvidence(manager: EntityManager, flag: Flag, ref: FlagRef, hit: RuleHit, now: Date): Promise<Raised> {
    const merge = mergeEvidence(flag, ref, hit, now);
    await this.repo.save(manager, flag);
    await this.recordMerge(manager, flag, hit, merge, now);
    if (flag.caseId) await this.cases.refresh(manager, flag.clinicId, flag.caseId, now);
    else await this.cases.place(manager, flag, flag.treatmentId, now);
    if (merge.raises) await this.cases.announce(manager, flag, 'reprioritised');
    else if (merge.reopened) await this.cases.announce(manager, flag, 'reopened');
    return { flag, merged: true, seenBefore: merge.earlier.map((e) => e.evidence), reopened: merge.reopened };
  }

  /** The merge's audit events and history entries: evidence added, and the priority raised when it rose. */
  private async recordMerge(manager: EntityManager, flag: Flag, hit: RuleHit, merge: EvidenceMerge, now: Date): Promise<void> {
    const { before, earlier, piece, raises, urgentAgain } = merge;
    const after = { priority: flag.priority, status: flag.status };
    const refIds = { responseId: piece.responseId, messageId: piece.messageId };
    await this.audit.record(manager, {
      clinicId: flag.clinicId,
      actor: SYSTEM,
      action: 'flag.evidence_added',
      entityType: 'flag',
      entityId: flag.id,
      data: { ruleId: flag.ruleId, ruleVersion: hit.ruleVersion, priority: hit.priority, pieces: earlier.length + 1, ...refIds, fields: urgentAgain ? ['evidence', 'reason', 'status'] : ['evidence', 'reason'] },
      ...(urgentAgain ? { changes: changedFields(before, after, ['status']) } : {}),
    });
    await this.repo.insertEvent(manager, flag, SYSTEM, 'evidence_added', now, {
      ...refIds,
      ruleVersion: hit.ruleVersion,
      priority: hit.priority,
      reason: hit.reason,
      ...(urgentAgain ? { statusFrom: before.status, statusTo: flag.status } : {}),
    });
    if (!raises) return;
    const statusChanged = before.status !== flag.status;
    await this.audit.record(manager, {
      clinicId: flag.clinicId,
      actor: SYSTEM,
      action: 'flag.priority_raised',
      entityType: 'flag',
      entityId: flag.id,
      data: { from: before.priority, to: flag.priority, ...refIds, fields: statusChanged ? ['priority', 'status'] : ['priority'] },
      changes: changedFields(before, after, ['priority', 'status']),
    });
    await this.repo.insertEvent(manager, flag, SYSTEM, 'priority_raised', now, { from: before.priority, to: flag.priority, ...refIds, ...(statusChanged ? { statusFrom: before.status, statusTo: flag.status } : {}) });
  }
}
