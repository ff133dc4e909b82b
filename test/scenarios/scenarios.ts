/**
 * Patient courses for the rules: answers over the days of a protocol and the flags each course
 * must raise (and must not). Plain data, shared by the pure suite (scenarios.spec.ts) and the
 * end-to-end run of some of them (test/scenarios.e2e-spec.ts).
 */
import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../protocols/expected-course';
import { SYMPTOMS, SymptomScores, WarningSign } from '../protocols/questions';
import { AnswerForRules, evaluateRules, FlagPriority, PRIORITY_RANK } from './rules';

export interface ScenarioAnswer {
  day: number;
  /** "bruising redness itching burning pain", e.g. "2 1 0 0 1"; null: words only, no scores. */
  scores: string | null;
  signs?: WarningSign[];
  text?: string;
}

/** [day, rule id, priority]: the rule fires on that day's answer with that priority. */
export type Raise = [number, string, FlagPriority];

export interface Scenario {
  name: string;
  answers: ScenarioAnswer[];
  course?: ExpectedCourse;
  /** Every rule hit of the course, in day order (most urgent first within a day). Nothing else may fire. */
  raises: Raise[];
  /** Rules that must not fire at all in this course (said out loud where a reader would wonder). */
  never?: string[];
  /** The flags at the end, one per rule: highest priority reached and the days of its evidence. */
  flags?: Array<{ ruleId: string; priority: FlagPriority; days: number[] }>;
}

const FACE_COURSE: ExpectedCourse = {
  ...DEFAULT_EXPECTED_COURSE,
  // A face protocol where bruising is usual for three weeks.
  bruising: [
    { throughDay: 10, max: 2 },
    { throughDay: 21, max: 1 },
  ],
};

export const SCENARIOS: Scenario[] = [
  // Usual courses: nothing to look at.
  {
    name: 'textbook course: bruising 2 on day 1 fading to 0 by day 14',
    answers: [
      { day: 1, scores: '2 1 0 0 1' },
      { day: 3, scores: '2 1 0 0 1' },
      { day: 7, scores: '1 0 0 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
      { day: 30, scores: '0 0 0 0 0' },
      { day: 60, scores: '0 0 0 0 0' },
    ],
    raises: [],
  },
  {
    name: 'bruising that peaks on day 3 and fades inside its window',
    answers: [
      { day: 1, scores: '1 1 0 0 1' },
      { day: 3, scores: '2 1 0 0 1' },
      { day: 7, scores: '2 0 0 0 0' },
      { day: 14, scores: '1 0 0 0 0' },
      { day: 30, scores: '0 0 0 0 0' },
    ],
    raises: [],
    never: ['worsening', 'above-expected-course'],
  },
  {
    name: 'moderate redness, burning and pain on day 1 that settle',
    answers: [
      { day: 1, scores: '0 2 0 2 2' },
      { day: 3, scores: '0 1 0 1 1' },
      { day: 7, scores: '0 1 0 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
    ],
    raises: [],
  },
  {
    name: 'no symptoms at any check-in',
    answers: [1, 3, 7, 14, 30, 60].map((day) => ({ day, scores: '0 0 0 0 0' })),
    raises: [],
  },
  {
    name: 'mild itching in the first week only',
    answers: [
      { day: 1, scores: '0 0 1 0 0' },
      { day: 3, scores: '0 0 1 0 0' },
      { day: 7, scores: '0 0 1 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
    ],
    raises: [],
  },
  {
    name: 'a patient who answers only days 1, 14 and 60',
    answers: [
      { day: 1, scores: '2 2 1 1 2' },
      { day: 14, scores: '1 0 0 0 0' },
      { day: 60, scores: '0 0 0 0 0' },
    ],
    raises: [],
  },
  {
    name: 'reassuring words with the scores',
    answers: [
      { day: 1, scores: '2 1 0 0 1', text: 'a bit tender, the bruise is already fading' },
      { day: 3, scores: '1 1 0 0 1', text: 'feeling fine, slightly sore when I sit' },
      { day: 7, scores: '0 0 0 0 0', text: 'all good thanks' },
    ],
    raises: [],
    never: ['warning-sign'],
  },
  {
    name: 'a one-point rise early on is ordinary settling',
    answers: [
      { day: 1, scores: '0 1 0 0 0' },
      { day: 3, scores: '1 1 0 0 0' },
      { day: 7, scores: '1 0 0 0 0' },
    ],
    raises: [],
    never: ['worsening'],
  },
  {
    name: 'face protocol to day 90, bruising mild until day 21 as its course allows',
    course: FACE_COURSE,
    answers: [
      { day: 1, scores: '2 1 0 0 1' },
      { day: 7, scores: '2 0 0 0 0' },
      { day: 14, scores: '1 0 0 0 0' },
      { day: 21, scores: '1 0 0 0 0' },
      { day: 30, scores: '0 0 0 0 0' },
      { day: 60, scores: '0 0 0 0 0' },
      { day: 90, scores: '0 0 0 0 0' },
    ],
    raises: [],
  },
  {
    name: 'the same bruising on day 21 under the body course is persisting',
    answers: [
      { day: 1, scores: '2 1 0 0 1' },
      { day: 7, scores: '2 0 0 0 0' },
      { day: 14, scores: '1 0 0 0 0' },
      { day: 21, scores: '1 0 0 0 0' },
      { day: 30, scores: '0 0 0 0 0' },
    ],
    raises: [[21, 'persisting-symptom', 'normal']],
    never: ['above-expected-course'],
  },
  {
    name: 'mild bruising on day 15, the last usual day',
    answers: [
      { day: 1, scores: '2 0 0 0 0' },
      { day: 15, scores: '1 0 0 0 0' },
    ],
    raises: [],
  },

  // Emergencies on day 1.
  {
    name: 'anaphylaxis-like: airway swelling and hives ticked on day 1',
    answers: [{ day: 1, scores: '0 1 1 0 0', signs: ['airway_swelling', 'hives'] }],
    raises: [[1, 'warning-sign', 'urgent']],
    never: ['late-onset'],
  },
  {
    name: 'airway swelling in words only, by SMS, on day 1',
    answers: [{ day: 1, scores: null, text: "my lips are swelling and I can't breathe well" }],
    raises: [[1, 'warning-sign', 'urgent']],
  },
  {
    name: 'skin turning grey near a puncture on day 1 (possible vascular occlusion)',
    answers: [{ day: 1, scores: '1 2 0 1 2', text: 'the skin is turning grey around one spot' }],
    raises: [[1, 'warning-sign', 'urgent']],
    never: ['late-onset'],
  },
  {
    name: 'hives on day 1 and again on day 3: one warning-sign flag, two pieces of evidence',
    answers: [
      { day: 1, scores: '0 1 1 0 0', signs: ['hives'] },
      { day: 3, scores: '0 0 1 0 0', signs: ['hives'] },
      { day: 7, scores: '0 0 0 0 0' },
    ],
    raises: [
      [1, 'warning-sign', 'urgent'],
      [3, 'warning-sign', 'urgent'],
    ],
    flags: [{ ruleId: 'warning-sign', priority: 'urgent', days: [1, 3] }],
  },

  // Delayed infection.
  {
    name: 'late infection: a lump on day 30 after clean days 7 and 14',
    answers: [
      { day: 1, scores: '2 1 0 0 1' },
      { day: 3, scores: '1 1 0 0 0' },
      { day: 7, scores: '0 0 0 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
      { day: 30, scores: '0 0 0 0 1', signs: ['new_lump'] },
    ],
    raises: [
      [30, 'warning-sign', 'urgent'],
      [30, 'late-onset', 'high'],
      // Pain came back after its window: told once, as worsening.
      [30, 'worsening', 'normal'],
    ],
    never: ['persisting-symptom', 'above-expected-course'],
  },
  {
    name: 'late infection in words on day 60: a hard lump and pus',
    answers: [
      { day: 7, scores: '0 0 0 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
      { day: 30, scores: '0 0 0 0 0' },
      { day: 60, scores: null, text: 'there is a hard lump and some pus coming out' },
    ],
    raises: [
      [60, 'warning-sign', 'urgent'],
      [60, 'late-onset', 'high'],
    ],
  },
  {
    name: 'discharge exactly 7 days after the last symptoms cleared',
    answers: [
      { day: 3, scores: '1 0 0 0 0' },
      { day: 7, scores: '0 0 0 0 0' },
      { day: 14, scores: '0 0 0 0 0', signs: ['discharge'] },
    ],
    raises: [
      [14, 'warning-sign', 'urgent'],
      [14, 'late-onset', 'high'],
    ],
  },
  {
    name: 'a lump on day 3 is a warning sign but not late onset',
    answers: [
      { day: 1, scores: '0 0 0 0 0' },
      { day: 3, scores: '0 0 0 0 0', signs: ['new_lump'] },
    ],
    raises: [[3, 'warning-sign', 'urgent']],
    never: ['late-onset'],
  },
  {
    name: 'a lump on day 30 with no earlier answers: urgent, but nothing says it came after a quiet spell',
    answers: [{ day: 30, scores: '0 0 0 0 0', signs: ['new_lump'] }],
    raises: [[30, 'warning-sign', 'urgent']],
    never: ['late-onset'],
  },
  {
    name: 'a lump on day 30 after symptoms that never cleared: urgent, not late onset',
    answers: [
      { day: 7, scores: '1 0 0 0 0' },
      { day: 14, scores: '1 0 0 0 0' },
      { day: 30, scores: '1 0 0 0 0', signs: ['new_lump'] },
    ],
    raises: [
      [30, 'warning-sign', 'urgent'],
      [30, 'persisting-symptom', 'normal'],
    ],
    never: ['late-onset'],
  },
  {
    name: '"my leg has a hot spreading red patch" on day 7',
    answers: [
      { day: 1, scores: '1 1 0 0 1' },
      { day: 3, scores: '1 1 0 0 1' },
      { day: 7, scores: null, text: 'my leg has a hot spreading red patch' },
    ],
    raises: [[7, 'warning-sign', 'urgent']],
    never: ['late-onset'],
  },
  {
    name: 'a fever ticked on day 3',
    answers: [
      { day: 1, scores: '1 1 0 0 1' },
      { day: 3, scores: '1 1 0 0 1', signs: ['fever'] },
    ],
    raises: [[3, 'warning-sign', 'urgent']],
  },
  {
    name: '"no fever" is not a fever (the words are read with their negation)',
    answers: [{ day: 3, scores: '1 1 0 0 1', text: 'no fever, just sore' }],
    raises: [],
  },
  {
    name: '"no fever but my lips are swelling" is urgent for the swelling',
    answers: [{ day: 3, scores: '1 1 0 0 1', text: 'no fever but my lips are swelling' }],
    raises: [[3, 'warning-sign', 'urgent']],
  },
  {
    name: 'a hedged sign counts ("I think it might be pus")',
    answers: [{ day: 3, scores: '1 1 0 0 1', text: 'I think it might be pus' }],
    raises: [[3, 'warning-sign', 'urgent']],
  },

  // Severe and worsening.
  {
    name: 'severe pain that keeps worsening: one worsening flag (high) with two pieces of evidence',
    answers: [
      { day: 1, scores: '1 1 0 0 1' },
      { day: 3, scores: '1 1 0 0 3' },
      { day: 7, scores: '1 0 0 0 4' },
    ],
    raises: [
      [3, 'severe-symptom', 'high'],
      [3, 'worsening', 'high'],
      [7, 'severe-symptom', 'high'],
      [7, 'worsening', 'high'],
    ],
    never: ['above-expected-course'],
    flags: [
      { ruleId: 'severe-symptom', priority: 'high', days: [3, 7] },
      { ruleId: 'worsening', priority: 'high', days: [3, 7] },
    ],
  },
  {
    name: 'redness that comes back after its window and grows: one worsening flag, two pieces',
    answers: [
      { day: 7, scores: '0 1 0 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
      { day: 30, scores: '0 1 0 0 0' },
      { day: 60, scores: '0 2 0 0 0' },
    ],
    raises: [
      [30, 'worsening', 'normal'],
      [60, 'worsening', 'normal'],
    ],
    never: ['persisting-symptom', 'above-expected-course'],
    flags: [{ ruleId: 'worsening', priority: 'normal', days: [30, 60] }],
  },
  {
    name: 'a worsening flag whose priority rises when the symptom turns severe',
    answers: [
      { day: 3, scores: '0 0 0 0 0' },
      { day: 7, scores: '1 0 0 0 0' },
      { day: 10, scores: '3 0 0 0 0' },
    ],
    raises: [
      [7, 'worsening', 'normal'],
      [10, 'severe-symptom', 'high'],
      [10, 'worsening', 'high'],
    ],
    flags: [
      { ruleId: 'worsening', priority: 'high', days: [7, 10] },
      { ruleId: 'severe-symptom', priority: 'high', days: [10] },
    ],
  },
  {
    name: 'severe bruising on day 1 that settles: severe only, not also above expected',
    answers: [
      { day: 1, scores: '3 1 0 0 1' },
      { day: 3, scores: '2 1 0 0 1' },
      { day: 7, scores: '1 0 0 0 0' },
    ],
    raises: [[1, 'severe-symptom', 'high']],
    never: ['above-expected-course', 'worsening'],
  },
  {
    name: 'very severe itching by SMS letters on day 1',
    answers: [{ day: 1, scores: '1 0 4 0 1' }],
    raises: [[1, 'severe-symptom', 'high']],
  },
  {
    name: 'fever with severe rising pain on day 7: urgent, severe and worsening',
    answers: [
      { day: 3, scores: '1 1 0 0 0' },
      { day: 7, scores: '1 1 0 0 4', signs: ['fever'], text: 'hot and shivery' },
    ],
    raises: [
      [7, 'warning-sign', 'urgent'],
      [7, 'severe-symptom', 'high'],
      [7, 'worsening', 'high'],
    ],
  },

  // Above the usual course, and persisting.
  {
    name: 'itching at moderate on day 3',
    answers: [
      { day: 1, scores: '0 0 1 0 0' },
      { day: 3, scores: '0 0 2 0 0' },
      { day: 7, scores: '0 0 1 0 0' },
      { day: 14, scores: '0 0 0 0 0' },
    ],
    raises: [[3, 'above-expected-course', 'normal']],
    never: ['worsening'],
  },
  {
    name: 'pain rising to moderate on day 7: above the course, not also worsening',
    answers: [
      { day: 3, scores: '0 0 0 0 1' },
      { day: 7, scores: '0 0 0 0 2' },
      { day: 14, scores: '0 0 0 0 0' },
    ],
    raises: [[7, 'above-expected-course', 'normal']],
    never: ['worsening'],
  },
  {
    name: 'moderate redness on days 1 and 3: usual on day 1, above the course on day 3',
    answers: [
      { day: 1, scores: '0 2 0 0 0' },
      { day: 3, scores: '0 2 0 0 0' },
      { day: 7, scores: '0 1 0 0 0' },
      { day: 14, scores: '0 1 0 0 0' },
      { day: 30, scores: '0 0 0 0 0' },
    ],
    raises: [[3, 'above-expected-course', 'normal']],
  },
  {
    name: 'bruising still there at day 30 and 60: one persisting flag',
    answers: [
      { day: 1, scores: '2 0 0 0 0' },
      { day: 7, scores: '2 0 0 0 0' },
      { day: 14, scores: '1 0 0 0 0' },
      { day: 30, scores: '1 0 0 0 0' },
      { day: 60, scores: '1 0 0 0 0' },
    ],
    raises: [
      [30, 'persisting-symptom', 'normal'],
      [60, 'persisting-symptom', 'normal'],
    ],
    never: ['above-expected-course', 'worsening'],
    flags: [{ ruleId: 'persisting-symptom', priority: 'normal', days: [30, 60] }],
  },
  {
    name: 'moderate bruising on day 14 (above the course), still mild on day 30 (persisting)',
    answers: [
      { day: 7, scores: '2 0 0 0 0' },
      { day: 14, scores: '2 0 0 0 0' },
      { day: 30, scores: '1 0 0 0 0' },
    ],
    raises: [
      [14, 'above-expected-course', 'normal'],
      [30, 'persisting-symptom', 'normal'],
    ],
  },
  {
    name: 'redness still there on day 30',
    answers: [
      { day: 14, scores: '0 1 0 0 0' },
      { day: 30, scores: '0 1 0 0 0' },
    ],
    raises: [[30, 'persisting-symptom', 'normal']],
  },
  {
    name: 'one answer with three things at once: each symptom told once',
    answers: [
      { day: 14, scores: '1 0 0 0 3' },
      { day: 20, scores: '1 1 0 0 3' },
    ],
    raises: [
      [14, 'severe-symptom', 'high'],
      [20, 'severe-symptom', 'high'],
      [20, 'worsening', 'normal'],
      [20, 'persisting-symptom', 'normal'],
    ],
  },
];

export function scoresOf(text: string): SymptomScores {
  const n = text.trim().split(/\s+/).map(Number);
  if (n.length !== SYMPTOMS.length || n.some((x) => !Number.isInteger(x) || x < 0 || x > 4)) throw new Error(`bad scores "${text}"`);
  return Object.fromEntries(SYMPTOMS.map((s, i) => [s, n[i]])) as SymptomScores;
}

export function answerFor(a: ScenarioAnswer): AnswerForRules {
  return { scores: a.scores === null ? null : scoresOf(a.scores), warningSigns: a.signs ?? [], freeText: a.text ?? null, daySinceTreatment: a.day };
}

/** Runs a course through the rules as the service does: each answer with the ones before it. */
export function runScenario(s: Scenario): { raises: Raise[]; flags: Array<{ ruleId: string; priority: FlagPriority; days: number[] }> } {
  const raises: Raise[] = [];
  const flags = new Map<string, { ruleId: string; priority: FlagPriority; days: number[] }>();
  const history: AnswerForRules[] = [];
  for (const a of s.answers) {
    const current = answerFor(a);
    for (const hit of evaluateRules({ current, history: [...history], course: s.course ?? DEFAULT_EXPECTED_COURSE })) {
      raises.push([a.day, hit.ruleId, hit.priority]);
      // One open flag per rule (none resolved here): evidence joins it, priority never falls.
      const f = flags.get(hit.ruleId) ?? { ruleId: hit.ruleId, priority: hit.priority, days: [] };
      if (PRIORITY_RANK[hit.priority] < PRIORITY_RANK[f.priority]) f.priority = hit.priority;
      f.days.push(a.day);
      flags.set(hit.ruleId, f);
    }
    history.push(current);
  }
  return { raises, flags: [...flags.values()] };
}
