import { MAX_SEVERITY, SYMPTOMS, SymptomScores, WARNING_SIGN_QUESTIONS, WARNING_SIGNS, WarningSign } from '../protocols/questions';

export interface FormAnswers {
  scores: SymptomScores;
  warningSigns: WarningSign[];
  freeText: string | null;
}

export const FREE_TEXT_MAX = 2000;

/** Reads the posted form; every question must be answered, and nothing else is accepted. */
export function parseFormAnswers(body: Record<string, unknown>): { ok: true; answers: FormAnswers } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const scores = {} as SymptomScores;
  for (const s of SYMPTOMS) {
    const raw = body[s];
    const n = typeof raw === 'string' && /^[0-4]$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > MAX_SEVERITY) errors.push(`Please choose a level for ${s}.`);
    else scores[s] = n;
  }
  const warningSigns: WarningSign[] = [];
  for (const w of WARNING_SIGNS) {
    const raw = body[`ws_${w}`];
    if (raw === 'yes') warningSigns.push(w);
    else if (raw !== 'no') errors.push(`Please answer yes or no for "${WARNING_SIGN_QUESTIONS[w]}".`);
  }
  const rawText = body.free_text;
  if (rawText !== undefined && typeof rawText !== 'string') errors.push('The message must be text.');
  const freeText = typeof rawText === 'string' ? rawText.trim() : '';
  if (freeText.length > FREE_TEXT_MAX) errors.push(`Please keep the message under ${FREE_TEXT_MAX} characters.`);
  // PostgreSQL text cannot hold NUL: refuse it here rather than fail when storing.
  if (freeText.includes('\u0000')) errors.push('The message contains a character that cannot be stored; please remove it.');
  const known = new Set<string>([...SYMPTOMS, ...WARNING_SIGNS.map((w) => `ws_${w}`), 'free_text']);
  if (Object.keys(body).some((k) => !known.has(k))) errors.push('The form had fields it does not know.');
  if (errors.length) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, answers: { scores, warningSigns, freeText: freeText || null } };
}
