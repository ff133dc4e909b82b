import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../../src/protocols/expected-course';
import { SymptomScores } from '../../src/protocols/questions';
import { AnswerForRules, RULES, RuleInput } from '../../src/flags/rules';

/** Answers and rule inputs for the rules' unit specs (src/flags/rules*.spec.ts). */

export const CALM: SymptomScores = { bruising: 1, redness: 1, itching: 0, burning: 0, pain: 1 };

export function answer(overrides: Partial<Omit<AnswerForRules, 'scores'>> & { scores?: Partial<SymptomScores> } = {}): AnswerForRules {
  return {
    warningSigns: [],
    freeText: null,
    daySinceTreatment: 2,
    ...overrides,
    scores: { ...CALM, ...overrides.scores },
  };
}

/** The rules' input: an answer, the one before it (or a history, oldest first), the default course. */
export function input(current: AnswerForRules, previous: AnswerForRules | AnswerForRules[] | null = null, course: ExpectedCourse = DEFAULT_EXPECTED_COURSE): RuleInput {
  return { current, history: previous === null ? [] : Array.isArray(previous) ? previous : [previous], course };
}

export function rule(id: string) {
  const found = RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}
