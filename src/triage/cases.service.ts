import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../common/actor';
import { localDaysUntil, localYear } from '../check-ins/course-plan';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { pageOf } from '../common/pagination';
import { FlagCase } from '../flags/flag-case.entity';
import { FlagEvent } from '../flags/flag-event.entity';
import { Flag, FlagStatus } from '../flags/flag.entity';
import { CaseFlagView, FlagQueueService, QueueCase } from '../flags/flag-queue.service';
import { FlagTriageService } from '../flags/flag-triage.service';
import { PRIORITY_RANK } from '../flags/rules';
import { PatientsService } from '../patients/patients.service';
import { TreatmentsService } from '../treatments/treatments.service';
import { AcknowledgeCaseDto, AssignCaseDto, CaseActionResultDto, CaseDetailDto, CaseDto, CaseEvidenceDto, CaseFlagDto, CaseQueueDto, ListCasesQuery, ResolveCaseDto } from './dto/case.dto';

/** Each rule in the words a practitioner uses. */
const RULE_WORDS: Record<string, string> = {
  'warning-sign': 'Warning sign',
  'severe-symptom': 'Severe symptom',
  'above-expected-course': 'Above the expected course',
  worsening: 'Worsening',
  'persisting-symptom': 'Persisting symptom',
  'late-onset': 'Late onset',
  'unreadable-reply': 'Reply needs a person',
  'stop-request': 'Asked to stop, in words',
  'photo-without-answer': 'Photo without an answer',
  'lost-to-follow-up': 'Lost to follow-up',
};

export const ruleWords = (id: string): string => RULE_WORDS[id] ?? id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** "30–39" from a birth year, in the clinic's current year. */
export function ageBand(birthYear: number | null, now: Date, zone: string): string | null {
  return ageBandIn(birthYear, birthYear ? clinicYear(now, zone) : 0);
}

function ageBandIn(birthYear: number | null, year: number): string | null {
  if (!birthYear) return null;
  const age = year - birthYear;
  if (age < 0 || age > 130) return null;
  if (age < 18) return 'under 18';
  if (age >= 80) return '80+';
  const lo = age < 20 ? 18 : Math.floor(age / 10) * 10;
  return `${lo}–${lo === 18 ? 19 : lo + 9}`;
}

interface Piece {
  at?: string;
  responseId?: string | null;
  messageId?: string | null;
  priority?: string;
  reason?: string;
}

type FlagWithHistory = Flag & { history?: FlagEvent[] };

/**
 * Decides what a case shows and which of its flags a case action takes (and, when none, what to
 * tell the person). The case view of triage: one case per patient and course (see flags/flag-cases.service.ts), read with
 * the patient's name and the treatment through their services; acknowledging, resolving and
 * assigning a case goes through the flags' own triage steps, each flag in one transaction.
 */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly flags: FlagQueueService,
    private readonly flagTriage: FlagTriageService,
    private readonly patients: PatientsService,
    private readonly treatments: TreatmentsService,
    private readonly clinics: ClinicsService,
    private readonly clock: Clock,
  ) {}

  async queue(clinicId: string, staffId: string, q: ListCasesQuery): Promise<CaseQueueDto> {
    const { take: limit, skip: offset } = pageOf(q);
    const assigneeId = q.assignee === undefined ? undefined : q.assignee === 'none' ? null : q.assignee === 'me' ? staffId : q.assignee.toLowerCase();
    // One statement (cases, patients, treatments, assignees, unresolved flags, counts), typed rows.
    const page = await this.flags.queueCases(clinicId, { statuses: q.status ? [q.status] : ['open', 'acknowledged'], priority: q.priority, assigneeId, ruleId: q.rule }, limit, offset);
    const now = this.clock.now();
    const year = clinicYear(now, page.timeZone);
    const daysSince = localDaysUntil(now, page.timeZone);
    const items = page.items.map((c) => caseDtoOf(c, c.flags, daysSince, year));
    return { items, total: page.total, limit, offset, counts: page.counts };
  }

  async get(clinicId: string, id: string): Promise<CaseDetailDto> {
    const c = await this.flags.getCase(clinicId, id);
    return this.detail(clinicId, c);
  }

  async acknowledge(clinicId: string, id: string, actor: Actor, dto: AcknowledgeCaseDto): Promise<CaseActionResultDto> {
    return this.act(clinicId, id, ['open'], 'acknowledge', (tx, flagId) => this.flagTriage.acknowledge(clinicId, flagId, actor, dto, tx));
  }

  async resolve(clinicId: string, id: string, actor: Actor, dto: ResolveCaseDto): Promise<CaseActionResultDto> {
    return this.act(clinicId, id, ['open', 'acknowledged'], 'resolve', (tx, flagId) => this.flagTriage.resolve(clinicId, flagId, actor, dto, tx));
  }

  /** Every unresolved flag of the case to this person (or to no one); flags already theirs are left alone. */
  async assign(clinicId: string, id: string, actor: Actor, dto: AssignCaseDto): Promise<CaseActionResultDto> {
    return this.act(
      clinicId,
      id,
      ['open', 'acknowledged'],
      'assign',
      (tx, flagId) => this.flagTriage.assign(clinicId, flagId, actor, { assigneeId: dto.staffId }, tx),
      (f) => f.assigneeId !== dto.staffId,
    );
  }

  /**
   * One transaction: the patient's cases locked, then each flag of the case in `from` through its
   * own triage step (one audit event and history entry per flag). 409, saying who did what and
   * when, when nothing in the case is left to act on.
   */
  private async act(
    clinicId: string,
    id: string,
    from: FlagStatus[],
    verb: 'acknowledge' | 'resolve' | 'assign',
    step: (tx: EntityManager, flagId: string) => Promise<Flag>,
    needed: (f: Flag) => boolean = () => true,
  ): Promise<CaseActionResultDto> {
    const done = await this.db.transaction(async (tx) => {
      const c = await this.flags.getCase(clinicId, id, tx);
      await this.flagTriage.lockCase(tx, c);
      const all = await this.flags.flagsOfCases(clinicId, [c.id], { unresolvedOnly: false, withHistory: false }, tx);
      const todo = all.filter((f) => from.includes(f.status) && needed(f));
      // The explanation is read after the transaction: it must not take a second connection.
      if (!todo.length) return { changed: null, all };
      for (const f of todo) await step(tx, f.id);
      return { changed: todo.map((f) => f.id), all };
    });
    if (!done.changed) throw new ConflictException(await this.nothingLeft(clinicId, verb, done.all));
    return { flagIds: done.changed, case: await this.get(clinicId, id) };
  }

  /** "Already resolved by Dr Ana Ruiz at 10:42": what a person needs to know instead of "Conflict". */
  private async nothingLeft(clinicId: string, verb: string, flags: Flag[]): Promise<string> {
    const clinic = await this.clinics.get(clinicId);
    const staff = new Map((await this.clinics.listStaff(clinicId)).map((s) => [s.id, s]));
    const when = (at: Date) => {
      const t = DateTime.fromJSDate(at, { zone: clinic.timeZone });
      const today = DateTime.fromJSDate(this.clock.now(), { zone: clinic.timeZone }).hasSame(t, 'day');
      return today ? `at ${t.toFormat('HH:mm')}` : `on ${t.toFormat('d LLL yyyy')} at ${t.toFormat('HH:mm')}`;
    };
    const who = (id: string | null) => (id && staff.get(id)?.name) || 'someone';
    const resolved = flags.filter((f) => f.status === 'resolved' && f.resolvedAt).sort((a, b) => b.resolvedAt!.getTime() - a.resolvedAt!.getTime());
    if (flags.every((f) => f.status === 'resolved') && resolved.length) {
      return `This case was already resolved by ${who(resolved[0].resolvedBy)} ${when(resolved[0].resolvedAt!)}; reopen a flag to act on it again`;
    }
    if (verb === 'acknowledge') {
      const acked = flags.filter((f) => f.status === 'acknowledged' && f.acknowledgedAt).sort((a, b) => b.acknowledgedAt!.getTime() - a.acknowledgedAt!.getTime());
      if (acked.length) return `This case was already acknowledged by ${who(acked[0].acknowledgedBy)} ${when(acked[0].acknowledgedAt!)}`;
    }
    if (verb === 'assign') {
      const a = flags.find((f) => f.status !== 'resolved');
      return a?.assigneeId ? `This case is already assigned to ${who(a.assigneeId)}` : 'This case is already unassigned';
    }
    return `Nothing in this case is left to ${verb}`;
  }

  private async detail(clinicId: string, c: FlagCase): Promise<CaseDetailDto> {
    const all = await this.flags.flagsOfCases(clinicId, [c.id], { unresolvedOnly: false, withHistory: true });
    const shown = c.status === 'resolved' ? all : all.filter((f) => f.status !== 'resolved');
    const item = await this.present(clinicId, c, shown);
    const byId = new Map(shown.map((f) => [f.id, f]));
    return {
      ...item,
      flagIds: all.map((f) => f.id),
      flags: item.flags.map((f) => ({
        ...f,
        history: (byId.get(f.flagId)!.history ?? []).map((e) => ({ at: e.at.toISOString(), kind: e.kind, actorType: e.actorType, actorId: e.actorId, data: e.data })),
      })),
    };
  }

  /** A case (the detail page's) with its patient's name, treatment and assignee read through their services. */
  private async present(clinicId: string, c: FlagCase, flags: FlagWithHistory[]): Promise<CaseDto> {
    const now = this.clock.now();
    const [clinic, [patient], treatments, staff] = await Promise.all([
      this.clinics.get(clinicId),
      this.patients.byIds(clinicId, [c.patientId]),
      this.treatments.byIds(clinicId, c.treatmentId ? [c.treatmentId] : []),
      this.clinics.listStaff(clinicId),
    ]);
    const assignee = c.assigneeId ? staff.find((s) => s.id === c.assigneeId) : undefined;
    const view: QueueCase = {
      ...c,
      patient: patient!,
      treatment: treatments[0] ?? null,
      assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
      flags,
    };
    return caseDtoOf(view, flags, localDaysUntil(now, clinic.timeZone), clinicYear(now, clinic.timeZone));
  }
}

/** The clinic's current year (for age bands), once per request. */
function clinicYear(now: Date, zone: string): number {
  return localYear(now, zone);
}

/** A case as the queue and the case page show it: its flags (given) most urgent first, evidence newest first. */
function caseDtoOf(c: QueueCase, flags: CaseFlagView[], daysSince: (from: Date) => number, year: number): CaseDto {
  const mine = flags.filter((f) => f.caseId === c.id).sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt.getTime() - b.createdAt.getTime());
  const p = c.patient;
  const t = c.treatment;
  const evidence = mine.flatMap((f) => piecesOf(f)).sort((a, b) => b.at.localeCompare(a.at));
  const flagDtos: CaseFlagDto[] = mine.map((f) => ({
    flagId: f.id,
    ruleId: f.ruleId,
    rule: ruleWords(f.ruleId),
    priority: f.priority,
    status: f.status,
    reason: f.reason,
    raisedAt: f.createdAt.toISOString(),
    lastEvidenceAt: evidence.find((e) => e.flagId === f.id)?.at ?? f.createdAt.toISOString(),
  }));
  return {
    id: c.id,
    status: c.status,
    priority: c.priority,
    patient: { id: p.id, name: `${p.givenName} ${p.familyName}`, ageBand: ageBandIn(p.birthYear, year) },
    treatment: t ? { id: t.id, procedure: t.procedure, product: t.product, performedAt: t.performedAt.toISOString(), day: Math.max(0, daysSince(t.performedAt)) } : null,
    rules: [...new Set(mine.map((f) => ruleWords(f.ruleId)))],
    flags: flagDtos,
    evidence,
    waitingSince: c.waitingSince.toISOString(),
    assignee: c.assignee ? { id: c.assignee.id, name: c.assignee.name } : null,
  };
}

/** A flag's evidence pieces (kept in evidence.history once a second one came; else the flag's own). */
function piecesOf(f: CaseFlagView): CaseEvidenceDto[] {
  const stored = f.evidence.history;
  const pieces: Piece[] = Array.isArray(stored) ? (stored as Piece[]) : [{ at: f.createdAt.toISOString(), responseId: f.responseId, messageId: f.messageId, priority: f.priority, reason: f.reason }];
  return pieces.map((e) => ({
    at: e.at ?? f.createdAt.toISOString(),
    flagId: f.id,
    ruleId: f.ruleId,
    rule: ruleWords(f.ruleId),
    priority: e.priority ?? f.priority,
    reason: e.reason ?? f.reason,
    responseId: e.responseId ?? null,
    messageId: e.messageId ?? null,
  }));
}
