import { MAX_SEVERITY, SYMPTOMS, SymptomScores, WARNING_SIGNS, WarningSign } from '../protocols/questions';
import { fill, textsFor } from '../protocols/texts';

export interface FormAnswers {
  scores: SymptomScores;
  warningSigns: WarningSign[];
  freeText: string | null;
}

export const FREE_TEXT_MAX = 2000;

/** Reads the posted form; every question must be answered, and nothing else is accepted. Errors are in the patient's language. */
export function parseFormAnswers(
  body: Record<string, unknown>,
  locale: string,
): { ok: true; answers: FormAnswers } | { ok: false; errors: string[] } {
  const t = textsFor(locale);
  const errors: string[] = [];
  const scores = {} as SymptomScores;
  for (const s of SYMPTOMS) {
    const raw = body[s];
    const n = typeof raw === 'string' && /^[0-4]$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > MAX_SEVERITY) errors.push(fill(t.formErrors.chooseLevel, { symptom: t.formErrors.symptomInSentence[s] }));
    else scores[s] = n;
  }
  const warningSigns: WarningSign[] = [];
  for (const w of WARNING_SIGNS) {
    const raw = body[`ws_${w}`];
    if (raw === 'yes') warningSigns.push(w);
    else if (raw !== 'no') errors.push(fill(t.formErrors.answerYesNo, { question: t.form.warningSigns[w] }));
  }
  const rawText = body.free_text;
  if (rawText !== undefined && typeof rawText !== 'string') errors.push(t.formErrors.notText);
  const freeText = typeof rawText === 'string' ? rawText.trim() : '';
  if (freeText.length > FREE_TEXT_MAX) errors.push(fill(t.formErrors.tooLong, { max: FREE_TEXT_MAX }));
  // PostgreSQL text cannot hold NUL: refuse it here rather than fail when storing.
  if (freeText.includes('\u0000')) errors.push(t.formErrors.badCharacter);
  const known = new Set<string>([...SYMPTOMS, ...WARNING_SIGNS.map((w) => `ws_${w}`), 'free_text']);
  if (Object.keys(body).some((k) => !known.has(k))) errors.push(t.formErrors.unknownFields);
  if (errors.length) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, answers: { scores, warningSigns, freeText: freeText || null } };
}
