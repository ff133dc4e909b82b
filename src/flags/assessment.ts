/**
 * A practitioner's assessment of a flagged reaction: how likely the treatment caused it
 * (causality) and whether it is serious in the ICH E2A sense, with the criteria that make it so.
 */
export const CAUSALITIES = ['related', 'possibly_related', 'unlikely_related', 'unrelated'] as const;
export type Causality = (typeof CAUSALITIES)[number];

export const SERIOUSNESS = ['non_serious', 'serious'] as const;
export type Seriousness = (typeof SERIOUSNESS)[number];

/** ICH E2A: results in death, is life-threatening, requires or prolongs hospitalisation, results in disability, is a congenital anomaly, or is otherwise medically important. */
export const SERIOUSNESS_CRITERIA = ['death', 'life_threatening', 'hospitalisation', 'disability', 'congenital_anomaly', 'medically_important'] as const;
export type SeriousnessCriterion = (typeof SERIOUSNESS_CRITERIA)[number];

/** The fields an assessment sets on a flag; their old and new values go to the audit payload. */
export const ASSESSMENT_FIELDS = ['causality', 'seriousness', 'seriousnessCriteria', 'assessmentNote'] as const;

/** Why an assessment is inconsistent, or null: serious needs a criterion, non-serious has none. */
export function assessmentError(seriousness: Seriousness, criteria: readonly string[]): string | null {
  if (seriousness === 'serious' && criteria.length === 0) return `a serious assessment needs at least one seriousnessCriteria (${SERIOUSNESS_CRITERIA.join(', ')})`;
  if (seriousness === 'non_serious' && criteria.length > 0) return 'seriousnessCriteria must be empty when seriousness is non_serious';
  return null;
}

/** Criteria in their listed order, once each. */
export function orderedCriteria(criteria: readonly string[]): SeriousnessCriterion[] {
  return SERIOUSNESS_CRITERIA.filter((c) => criteria.includes(c));
}
