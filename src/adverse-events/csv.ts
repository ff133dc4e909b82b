import { SYMPTOMS, WARNING_SIGNS } from '../protocols/questions';
import type { AdverseEvent } from './adverse-event';

/**
 * One CSV row per adverse event (RFC 4180: CRLF line ends, fields with a comma, quote or line
 * break quoted, quotes doubled). A cell that a spreadsheet would run as a formula (= + - @, or a
 * tab or carriage return first) gets a leading apostrophe.
 */
export const CSV_COLUMNS = [
  'adverse_event_id',
  'rule_id',
  'rule_version',
  'priority',
  'status',
  'reason',
  'patient_id',
  'treatment_id',
  'procedure',
  'indication',
  'body_areas',
  'product',
  'lot_number',
  'technique',
  'formula',
  'performed_at',
  'practitioner_id',
  'practitioner_name',
  'onset_at',
  'onset_day',
  'reported_at',
  'acknowledged_at',
  'resolved_at',
  'outcome',
  'causality',
  'seriousness',
  'seriousness_criteria',
  'assessment_note',
  'assessed_at',
  'assessed_by',
  'response_ids',
  ...SYMPTOMS.map((s) => `max_${s}`),
  'warning_signs',
] as const;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function csvHeader(): string {
  return csvLine([...CSV_COLUMNS]);
}

export function csvRow(e: AdverseEvent): string {
  const peak = (s: (typeof SYMPTOMS)[number]) => {
    const scores = e.answers.map((a) => a.scores[s]).filter((v): v is number => v !== null);
    return scores.length ? Math.max(...scores) : null;
  };
  const signs = WARNING_SIGNS.filter((w) => e.answers.some((a) => a.warningSigns.includes(w)));
  const byColumn: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    adverse_event_id: e.id,
    rule_id: e.ruleId,
    rule_version: e.ruleVersion,
    priority: e.priority,
    status: e.status,
    reason: e.reason,
    patient_id: e.patientId,
    treatment_id: e.treatmentId,
    procedure: e.treatment.procedure,
    indication: e.treatment.indication,
    body_areas: e.treatment.bodyAreas.join(';'),
    product: e.treatment.product,
    lot_number: e.treatment.lotNumber,
    technique: e.treatment.technique,
    formula: e.treatment.formula,
    performed_at: e.treatment.performedAt,
    practitioner_id: e.treatment.practitionerId,
    practitioner_name: e.treatment.practitionerName,
    onset_at: e.onsetAt,
    onset_day: e.onsetDay,
    reported_at: e.reportedAt,
    acknowledged_at: e.acknowledgedAt,
    resolved_at: e.resolvedAt,
    outcome: e.outcome,
    causality: e.assessment?.causality,
    seriousness: e.assessment?.seriousness,
    seriousness_criteria: e.assessment?.seriousnessCriteria.join(';'),
    assessment_note: e.assessment?.note,
    assessed_at: e.assessment?.assessedAt,
    assessed_by: e.assessment?.assessedBy,
    response_ids: e.answers.map((a) => a.id).join(';'),
    max_bruising: peak('bruising'),
    max_redness: peak('redness'),
    max_itching: peak('itching'),
    max_burning: peak('burning'),
    max_pain: peak('pain'),
    warning_signs: signs.join(';'),
  };
  return csvLine(CSV_COLUMNS.map((c) => byColumn[c]));
}
