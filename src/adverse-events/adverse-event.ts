import type { Causality, Seriousness, SeriousnessCriterion } from '../flags/assessment';
import { SYMPTOMS, Symptom, WARNING_SIGNS } from '../protocols/questions';
import type { Technique } from '../treatments/treatment.entity';

/**
 * Flags that record a reaction the patient reported in their answers. Unreadable replies, stop
 * requests and lost-to-follow-up flags are about reaching the patient, not about a reaction, so
 * they stay out of the adverse-event log (they remain in the triage queue and the audit log).
 */
export const ADVERSE_EVENT_RULES = [
  'warning-sign',
  'severe-symptom',
  'above-expected-course',
  'worsening',
  'persisting-symptom',
  'late-onset',
] as const;

/** One answer behind an adverse event: scores and warning signs only (no free text, no raw SMS). */
export interface AdverseEventAnswer {
  id: string;
  source: 'form' | 'sms';
  receivedAt: Date;
  daySinceTreatment: number;
  scores: Record<Symptom, number | null>;
  warningSigns: string[];
  /** Photos the patient sent with it (metadata; the FHIR export references them as Media). */
  photos?: AdverseEventPhoto[];
}

export interface AdverseEventPhoto {
  id: string;
  position: number;
  width: number;
  height: number;
  byteSize: number;
  sha256: string;
  createdAt: Date;
}

export interface AdverseEvent {
  id: string;
  ruleId: string;
  ruleVersion: number;
  priority: string;
  status: string;
  reason: string;
  patientId: string;
  treatmentId: string;
  treatment: {
    procedure: string;
    indication: string;
    bodyAreas: string[];
    product: string;
    lotNumber: string | null;
    technique: Technique | null;
    formula: string | null;
    performedAt: Date;
    practitionerId: string | null;
    practitionerName: string | null;
  };
  /** The first answer behind the event: when and on which day after treatment the patient reported it. */
  onsetAt: Date | null;
  onsetDay: number | null;
  reportedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  outcome: string | null;
  assessment: {
    causality: Causality;
    seriousness: Seriousness;
    seriousnessCriteria: SeriousnessCriterion[];
    note: string | null;
    assessedAt: Date;
    assessedBy: string | null;
  } | null;
  answers: AdverseEventAnswer[];
}

/** A row of the page query (flags joined with their treatment and its practitioner). */
export interface AdverseEventRow {
  id: string;
  rule_id: string;
  rule_version: number;
  priority: string;
  status: string;
  reason: string;
  patient_id: string;
  treatment_id: string;
  created_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  outcome: string | null;
  causality: Causality | null;
  seriousness: Seriousness | null;
  seriousness_criteria: SeriousnessCriterion[];
  assessment_note: string | null;
  assessed_at: Date | null;
  assessed_by: string | null;
  procedure: string;
  indication: string;
  body_areas: string[];
  product: string;
  lot_number: string | null;
  technique: Technique | null;
  formula: string | null;
  performed_at: Date;
  practitioner_id: string | null;
  practitioner_name: string | null;
}

export interface AnswerRow {
  flag_id: string;
  id: string;
  source: 'form' | 'sms';
  received_at: Date;
  day_since_treatment: number;
  bruising: number | null;
  redness: number | null;
  itching: number | null;
  burning: number | null;
  pain: number | null;
  warning_signs: string[];
}

export function answerOf(r: AnswerRow): AdverseEventAnswer {
  return {
    id: r.id,
    source: r.source,
    receivedAt: new Date(r.received_at),
    daySinceTreatment: r.day_since_treatment,
    scores: Object.fromEntries(SYMPTOMS.map((s) => [s, r[s]])) as Record<Symptom, number | null>,
    warningSigns: WARNING_SIGNS.filter((w) => r.warning_signs.includes(w)),
  };
}

/** The event as the log shows it; answers in the order they arrived. */
export function adverseEventOf(row: AdverseEventRow, answers: AdverseEventAnswer[]): AdverseEvent {
  const sorted = [...answers].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id));
  const first = sorted[0] ?? null;
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    priority: row.priority,
    status: row.status,
    reason: row.reason,
    patientId: row.patient_id,
    treatmentId: row.treatment_id,
    treatment: {
      procedure: row.procedure,
      indication: row.indication,
      bodyAreas: row.body_areas,
      product: row.product,
      lotNumber: row.lot_number,
      technique: row.technique,
      formula: row.formula,
      performedAt: new Date(row.performed_at),
      practitionerId: row.practitioner_id,
      practitionerName: row.practitioner_name,
    },
    onsetAt: first ? first.receivedAt : null,
    onsetDay: first ? first.daySinceTreatment : null,
    reportedAt: new Date(row.created_at),
    acknowledgedAt: row.acknowledged_at ? new Date(row.acknowledged_at) : null,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at) : null,
    outcome: row.outcome,
    assessment:
      row.causality && row.seriousness && row.assessed_at
        ? {
            causality: row.causality,
            seriousness: row.seriousness,
            seriousnessCriteria: row.seriousness_criteria,
            note: row.assessment_note,
            assessedAt: new Date(row.assessed_at),
            assessedBy: row.assessed_by,
          }
        : null,
    answers: sorted,
  };
}
