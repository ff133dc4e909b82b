/**
 * The questions every check-in asks: five expected side effects scored 0–4 and the
 * warning signs, each yes/no. Responses, rules and templates all read this one list.
 */

export const SYMPTOMS = ['bruising', 'redness', 'itching', 'burning', 'pain'] as const;
export type Symptom = (typeof SYMPTOMS)[number];
export type SymptomScores = Record<Symptom, number>;

export const SEVERITY_LABELS = ['none', 'mild', 'moderate', 'severe', 'very severe'] as const;
export const MAX_SEVERITY = 4;
/** A score at or above this is "severe". */
export const SEVERE = 3;

export const WARNING_SIGNS = [
  'fever',
  'discharge',
  'spreading_redness',
  'new_lump',
  'skin_change',
  'airway_swelling',
  'hives',
] as const;
export type WarningSign = (typeof WARNING_SIGNS)[number];

export const WARNING_SIGN_QUESTIONS: Record<WarningSign, string> = {
  fever: 'Fever',
  discharge: 'Pus or fluid coming from a puncture',
  spreading_redness: 'Redness or warmth that is spreading',
  new_lump: 'A new hard lump',
  skin_change: 'Blisters, or skin turning dark, grey or white',
  airway_swelling: 'Swelling of the face, lips or throat, or difficulty breathing',
  hives: 'Hives',
};

export const SYMPTOM_LABELS: Record<Symptom, string> = {
  bruising: 'Bruising',
  redness: 'Redness',
  itching: 'Itching',
  burning: 'Burning',
  pain: 'Pain',
};

export function isSymptomScores(value: unknown): value is SymptomScores {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return SYMPTOMS.every(
    (s) => Number.isInteger(v[s]) && (v[s] as number) >= 0 && (v[s] as number) <= MAX_SEVERITY,
  );
}
