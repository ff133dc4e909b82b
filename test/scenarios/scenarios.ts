/**
 * Patient courses for the rules (courses.json): answers over the days of a protocol and the
 * flags each course must raise (and must not), run through the product's own code: the rules
 * (evaluateRules) and the merge of evidence into the unresolved flag of its rule (newFlagFields,
 * mergeEvidence), as FlagsService runs them. Shared by the pure suite (scenarios.spec.ts) and
 * the end-to-end run of some of them (test/scenarios.e2e-spec.ts).
 */
import { evidenceHistory, mergeEvidence, newFlagFields } from '../../src/flags/evidence';
import { Flag, FLAG_PRIORITIES } from '../../src/flags/flag.entity';
import { AnswerForRules, evaluateRules, FlagPriority } from '../../src/flags/rules';
import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../../src/protocols/expected-course';
import { SYMPTOMS, SymptomScores, WARNING_SIGNS, WarningSign } from '../../src/protocols/questions';
import COURSES from './courses.json';

export interface ScenarioAnswer {
  day: number;
  /** "bruising redness itching burning pain", e.g. "2 1 0 0 1"; null: words only, no scores. */
  scores: string | null;
  signs?: WarningSign[];
  text?: string;
}

/** [day, rule id, priority]: the rule fires on that day's answer with that priority. */
export type Raise = [number, string, FlagPriority];

/** A flag at the end of a course: one per rule, highest priority reached and the days of its evidence. */
export interface EndFlag {
  ruleId: string;
  priority: FlagPriority;
  days: number[];
}

export interface Scenario {
  name: string;
  /** The kind of course, for a reader: usual, emergencies on day 1, delayed infection, … */
  group: string;
  /** Why the raises are what they are, where a reader would wonder. */
  note?: string;
  answers: ScenarioAnswer[];
  course?: ExpectedCourse;
  /** Every rule hit of the course, in day order (most urgent first within a day). Nothing else may fire. */
  raises: Raise[];
  /** Rules that must not fire at all in this course (said out loud where a reader would wonder). */
  never?: string[];
  /** The flags at the end, one per rule: highest priority reached and the days of its evidence. */
  flags?: EndFlag[];
}

/** The expected courses the scenarios name (absent: the default). */
const NAMED_COURSES: Record<string, ExpectedCourse> = {
  // A face protocol where bruising is usual for three weeks.
  face: {
    ...DEFAULT_EXPECTED_COURSE,
    bruising: [
      { throughDay: 10, max: 2 },
      { throughDay: 21, max: 1 },
    ],
  },
};

type CourseJson = Omit<Scenario, 'course' | 'answers' | 'raises' | 'flags'> & {
  course?: string;
  answers: Array<{ day: number; scores: string | null; signs?: string[]; text?: string }>;
  raises: unknown[][];
  flags?: Array<{ ruleId: string; priority: string; days: number[] }>;
};

function priorityOf(value: unknown, where: string): FlagPriority {
  if (!(FLAG_PRIORITIES as readonly unknown[]).includes(value)) throw new Error(`${where}: bad priority ${String(value)}`);
  return value as FlagPriority;
}

/** A course of courses.json, checked and typed. */
function scenarioOf(json: CourseJson): Scenario {
  const where = json.name;
  const course = json.course === undefined ? undefined : NAMED_COURSES[json.course];
  if (json.course !== undefined && !course) throw new Error(`${where}: no course named ${json.course}`);
  return {
    ...json,
    course,
    answers: json.answers.map((a) => {
      const unknown = (a.signs ?? []).filter((s) => !(WARNING_SIGNS as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`${where}: unknown warning signs ${unknown.join(', ')}`);
      return { ...a, signs: a.signs as WarningSign[] | undefined };
    }),
    raises: json.raises.map(([day, rule, priority]) => [Number(day), String(rule), priorityOf(priority, where)] as Raise),
    flags: json.flags?.map((f) => ({ ...f, priority: priorityOf(f.priority, where) })),
  };
}

export const SCENARIOS: Scenario[] = (COURSES as CourseJson[]).map(scenarioOf);

export function scoresOf(text: string): SymptomScores {
  const n = text.trim().split(/\s+/).map(Number);
  if (n.length !== SYMPTOMS.length || n.some((x) => !Number.isInteger(x) || x < 0 || x > 4)) throw new Error(`bad scores "${text}"`);
  return Object.fromEntries(SYMPTOMS.map((s, i) => [s, n[i]])) as SymptomScores;
}

export function answerFor(a: ScenarioAnswer): AnswerForRules {
  return { scores: a.scores === null ? null : scoresOf(a.scores), warningSigns: a.signs ?? [], freeText: a.text ?? null, daySinceTreatment: a.day };
}

const TREATED_AT = Date.UTC(2026, 2, 2, 8);
const DAY = 86_400_000;
const responseOfDay = (day: number) => `day-${day}`;

/**
 * Runs a course as the service does: each answer through the rules with the ones before it, and
 * each hit raised as a new flag or merged into the unresolved flag of its rule (no flag is
 * resolved in a course, so the unresolved flag of a rule is its one flag) by the product's merge.
 * The flags at the end are read from what the merge kept: priority, and the day of each piece.
 */
export function runScenario(s: Scenario): { raises: Raise[]; flags: EndFlag[] } {
  const raises: Raise[] = [];
  const unresolved = new Map<string, Flag>();
  const history: AnswerForRules[] = [];
  const ref = { clinicId: 'clinic', patientId: 'patient', treatmentId: 'treatment' };
  for (const a of s.answers) {
    const current = answerFor(a);
    const now = new Date(TREATED_AT + a.day * DAY);
    for (const hit of evaluateRules({ current, history: [...history], course: s.course ?? DEFAULT_EXPECTED_COURSE })) {
      raises.push([a.day, hit.ruleId, hit.priority]);
      const evidence = { responseId: responseOfDay(a.day) };
      const open = unresolved.get(hit.ruleId);
      if (open) mergeEvidence(open, evidence, hit, now);
      else unresolved.set(hit.ruleId, Object.assign(new Flag(), newFlagFields({ ...ref, ...evidence }, hit, now), { id: hit.ruleId, caseId: null }));
    }
    history.push(current);
  }
  const dayOf = new Map(s.answers.map((a) => [responseOfDay(a.day), a.day]));
  const flags = [...unresolved.values()].map((f) => ({ ruleId: f.ruleId, priority: f.priority, days: evidenceHistory(f).map((piece) => dayOf.get(piece.responseId!)!) }));
  return { raises, flags };
}
