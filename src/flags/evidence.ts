import { Flag } from './flag.entity';
import { PRIORITY_RANK, RuleHit } from './rules';

/**
 * How a rule hit becomes a flag, in memory: a new flag's fields, or how new evidence joins the
 * unresolved flag of its treatment and rule. Pure: FlagsService stores what these decide, and
 * the scenario suite (test/scenarios) drives the same functions.
 */

/** What the evidence is about: the answer or the message that brought it. */
export interface EvidenceRef {
  responseId?: string;
  messageId?: string;
}

/** Who and what a new flag is about. */
export interface FlagRef extends EvidenceRef {
  clinicId: string;
  patientId: string;
  treatmentId: string | null;
  /** The course's first session: the flag joins the patient's case of that course. */
  courseId?: string | null;
}

/** One piece of evidence on a flag, as kept in `evidence.history`. */
export interface EvidencePiece {
  at: string;
  responseId: string | null;
  messageId: string | null;
  ruleVersion: number;
  priority: string;
  reason: string;
  evidence: Record<string, unknown>;
}

/** Every piece so far: the stored history, or (first merge) the flag's own first evidence. */
export function evidenceHistory(flag: Flag): EvidencePiece[] {
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

/** What a hit brings: the same fields on a new flag and on a piece of its history. */
function pieceOf(ref: EvidenceRef, hit: RuleHit): Omit<EvidencePiece, 'at' | 'priority'> & { priority: Flag['priority'] } {
  return { responseId: ref.responseId ?? null, messageId: ref.messageId ?? null, ruleVersion: hit.ruleVersion, priority: hit.priority, reason: hit.reason, evidence: hit.evidence };
}

/** The fields of a flag a hit raises: open, unassigned, its evidence the hit's. */
export function newFlagFields(ref: FlagRef, hit: RuleHit, now: Date): Omit<Flag, 'id' | 'caseId' | 'causality' | 'seriousness' | 'seriousnessCriteria' | 'assessmentNote' | 'assessedAt' | 'assessedBy'> {
  return {
    clinicId: ref.clinicId,
    patientId: ref.patientId,
    treatmentId: ref.treatmentId,
    ruleId: hit.ruleId,
    ...pieceOf(ref, hit),
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
  };
}

/** What joining evidence did to the flag. */
export interface EvidenceMerge {
  /** The pieces before this one, oldest first. */
  earlier: EvidencePiece[];
  piece: EvidencePiece;
  before: { priority: Flag['priority']; status: Flag['status'] };
  /** The priority rose. */
  raises: boolean;
  /** An urgent report on an acknowledged urgent flag: news again. */
  urgentAgain: boolean;
  /** The flag went from acknowledged back to open. */
  reopened: boolean;
}

/**
 * New evidence joins an unresolved flag (changed in place). Every piece is kept, oldest first, in
 * `evidence.history` (each with its time, response or message, rule version, priority, reason
 * and the rule's evidence); the top level shows the latest piece, and `reason` the latest
 * reason. The priority can rise, never fall. A flag whose priority rises goes back to `open`
 * (acknowledgement cleared, assignee kept): it is news the acknowledger has not seen. An urgent
 * report on an acknowledged urgent flag is news too: back to open. Other evidence at the same
 * priority leaves the status alone.
 */
export function mergeEvidence(flag: Flag, ref: EvidenceRef, hit: RuleHit, now: Date): EvidenceMerge {
  const earlier = evidenceHistory(flag);
  const piece: EvidencePiece = { at: now.toISOString(), ...pieceOf(ref, hit) };
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
  flag.updatedAt = now;
  return { earlier, piece, before, raises, urgentAgain, reopened: before.status !== flag.status };
}
