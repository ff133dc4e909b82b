import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Flag, FlagStatus } from './flag.entity';
import { FlagsRepository } from './flags.repository';

/** The channel every flag change is announced on (pg_notify in the changing transaction). */
export const FLAG_CHANGES_CHANNEL = 'aftercare_flag_changes';

export type FlagChangeKind = 'raised' | 'reprioritised' | 'acknowledged' | 'resolved' | 'reopened' | 'assigned';

/** What is announced: ids and status only; a listener refetches what it shows. */
export interface FlagChange {
  type: 'flag';
  clinicId: string;
  flagId: string;
  caseId: string | null;
  change: FlagChangeKind;
  status: FlagStatus;
  priority: Flag['priority'];
}

/** What a browser is sent of a change (the clinic only scopes who hears it). */
export const FLAG_CHANGES_CHANGE_KEYS = ['type', 'flagId', 'caseId', 'change', 'status', 'priority'] as const;

/**
 * Decides which case a flag is triaged in. Cases: a patient's unresolved flags of one course,
 * triaged as one. The flags stay as they are (one per rule, own history); `flag_cases` holds one
 * summary row per case (status, highest priority and its stored rank, rules, assignee, waiting
 * since), rewritten from the case's flags in the transaction that changes any of them, so the
 * queue reads cases by index.
 *
 * A flag joins the unresolved case of its patient and course (`courseId`: the course's first
 * session; the flag's treatment when the caller does not know the course) or a case that already
 * holds an unresolved flag of the same treatment; otherwise it starts a case whose id is its own.
 * A case whose flags are all resolved is resolved; a flag reopened later joins the patient's
 * unresolved case of that course, else its own case opens again.
 */
@Injectable()
export class FlagCasesService {
  constructor(private readonly repo: FlagsRepository) {}

  /** Puts the flag in its patient's unresolved case of the course (or a new one) and refreshes that case. */
  async place(manager: EntityManager, flag: Flag, courseId: string | null, now: Date): Promise<string> {
    // One placement per patient at a time: two answers of one course must not open two cases.
    await this.lockPatientCases(manager, flag.patientId);
    const caseId = (await this.repo.unresolvedCaseFor(manager, flag, courseId)) ?? flag.caseId ?? (await this.repo.insertCase(manager, flag, courseId, now));
    if (flag.caseId !== caseId) {
      await this.repo.setCase(manager, flag, caseId);
      const previous = flag.caseId;
      flag.caseId = caseId;
      if (previous) await this.refresh(manager, flag.clinicId, previous, now);
    }
    await this.refresh(manager, flag.clinicId, caseId, now);
    return caseId;
  }

  /** Rewrites the case's summary from its unresolved flags; with none left the case is resolved. */
  refresh(manager: EntityManager, clinicId: string, caseId: string, now: Date): Promise<void> {
    return this.repo.refreshCase(manager, clinicId, caseId, now);
  }

  /** Announces a change to every instance's listeners, only if and when the transaction commits. */
  announce(manager: EntityManager, flag: Flag, change: FlagChangeKind): Promise<void> {
    const payload: FlagChange = { type: 'flag', clinicId: flag.clinicId, flagId: flag.id, caseId: flag.caseId, change, status: flag.status, priority: flag.priority };
    return this.repo.notify(manager, FLAG_CHANGES_CHANNEL, payload);
  }

  /**
   * Every change to a patient's flags takes this first (raising, triage steps, case actions), then
   * treatment locks and flag rows: the case rows are written last, in one order everywhere.
   */
  lockPatientCases(manager: EntityManager, patientId: string): Promise<void> {
    return this.repo.lockPatientCases(manager, patientId);
  }
}
