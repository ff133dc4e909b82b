import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Page, pageOf } from '../common/pagination';
import { ListFlagsQuery } from './dto/flag.dto';
import { FlagCase } from './flag-case.entity';
import { FlagEvent } from './flag-event.entity';
import { Flag, FLAG_PRIORITIES } from './flag.entity';
import { CaseFilter, FlagsRepository, QueueRow } from './flags.repository';

export type { CaseFilter } from './flags.repository';

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

/**
 * Decides what the triage queues show and in which order: the flag queue (most urgent first,
 * newest first within a priority), a flag or a patient's flags with their history, and the case
 * queue (most urgent first, oldest first within a priority) with its counts. Reads only.
 */
@Injectable()
export class FlagQueueService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: FlagsRepository,
  ) {}

  /** The triage queue: most urgent first, newest first within a priority. */
  async list(clinicId: string, q: ListFlagsQuery): Promise<Page<Flag>> {
    const { take, skip } = pageOf(q);
    const { items, total } = await this.repo.page(this.db.manager, clinicId, { status: q.status, priority: q.priority }, take, skip);
    return { items, total, limit: take, offset: skip };
  }

  async get(clinicId: string, id: string): Promise<Flag & { history: FlagEvent[] }> {
    const flag = await this.repo.find(this.db.manager, clinicId, id);
    if (!flag) throw new NotFoundException('Flag not found');
    const [history] = await this.repo.historyOf(this.db.manager, clinicId, [flag.id]);
    return { ...flag, history };
  }

  /** The patient's flags, oldest first, each with its history in time order. */
  async listForPatient(clinicId: string, patientId: string): Promise<Array<Flag & { history: FlagEvent[] }>> {
    const flags = await this.repo.ofPatient(this.db.manager, clinicId, patientId);
    return this.withHistory(clinicId, flags);
  }

  /**
   * A page of the clinic's cases in one statement (see FlagsRepository.queueRows): most urgent
   * first (stored rank), oldest first within a priority; the total under the filters; and counts
   * per priority under the status filter alone. Typed rows, no entity hydration: this is the
   * console's busiest read.
   */
  async queueCases(clinicId: string, filter: CaseFilter, limit: number, offset: number): Promise<QueuePage> {
    // The total under the status and priority filters is read from the stored counts (no scan);
    // an assignee or rule filter counts its (smaller) part by index.
    const narrowed = filter.assigneeId !== undefined || !!filter.ruleId || filter.statuses.includes('resolved');
    const rows = await this.repo.queueRows(this.db.manager, clinicId, filter, narrowed, limit, offset);
    const stored = rows[0]?.counts ?? [0, 0, 0, 0, 0, 0, 0, 0];
    const counts = { urgent: 0, high: 0, normal: 0, low: 0 };
    FLAG_PRIORITIES.forEach((p, rank) => {
      counts[p] = (filter.statuses.includes('open') ? stored[rank] : 0) + (filter.statuses.includes('acknowledged') ? stored[4 + rank] : 0);
    });
    const total = narrowed ? rows[0].total! : filter.priority ? counts[filter.priority] : Object.values(counts).reduce((a, b) => a + b, 0);
    return { items: casesOf(rows), total, counts, timeZone: rows[0]?.timeZone ?? 'UTC' };
  }

  /** One case of the clinic; 404 for another clinic's. */
  async getCase(clinicId: string, id: string, manager: EntityManager = this.db.manager): Promise<FlagCase> {
    const found = await this.repo.findCase(manager, clinicId, id);
    if (!found) throw new NotFoundException('Case not found');
    return found;
  }

  /** The flags of these cases, oldest first; `withHistory` adds each flag's history. */
  async flagsOfCases(clinicId: string, caseIds: string[], opts: { unresolvedOnly: boolean; withHistory: boolean }, manager: EntityManager = this.db.manager): Promise<Array<Flag & { history?: FlagEvent[] }>> {
    if (!caseIds.length) return [];
    const flags = await this.repo.ofCases(manager, clinicId, caseIds, opts.unresolvedOnly);
    if (!opts.withHistory) return flags;
    return this.withHistory(clinicId, flags);
  }

  private async withHistory(clinicId: string, flags: Flag[]): Promise<Array<Flag & { history: FlagEvent[] }>> {
    const histories = await this.repo.historyOf(this.db.manager, clinicId, flags.map((f) => f.id));
    return flags.map((f, i) => ({ ...f, history: histories[i] }));
  }
}

/** The queue's rows (a row per unresolved flag of each case, in page order) as cases with their flags. */
function casesOf(rows: QueueRow[]): QueueCase[] {
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
  return items;
}
