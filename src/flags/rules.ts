/**
 * Triage rules over a check-in answer. Each rule is versioned so a flag can say exactly which
 * logic raised it; changing a rule's behaviour means bumping its version.
 *
 * A rule sees the current answer, the patient's earlier answers in this follow-up (oldest first)
 * and the expected course of the treatment's protocol. Rules are pure: same input, same hits.
 *
 * One voice per symptom, so practitioners are not buried in noise. Each symptom that is out of
 * the ordinary is told by exactly one of the symptom rules, chosen in this order:
 *   1. severe (3 or worse)            → `severe-symptom`; and, if it rose, `worsening` (high):
 *                                       "severe and getting worse" is the trend to see first;
 *   2. past its window (e.g. bruising after day 15) and still there
 *      - not risen since last time    → `persisting-symptom` (it has not gone away);
 *      - risen since last time        → `worsening` (it came back or grew, the louder news);
 *   3. inside its window, above the usual score for the day → `above-expected-course`
 *                                       (not also `worsening`: the course names the yardstick);
 *   4. inside its window, usual, but risen (2+ early, any rise after day 3) → `worsening`.
 * Warning signs stand apart: `warning-sign` always (urgent), and `late-onset` alongside it when
 * the sign is one of an infection after a quiet spell, because that hint changes what is done.
 */
import { ExpectedCourse, expectedMax, windowEnd } from '../protocols/expected-course';
import {
  MAX_SEVERITY,
  SEVERE,
  SYMPTOM_LABELS,
  SYMPTOMS,
  Symptom,
  SymptomScores,
  WARNING_SIGNS,
  WarningSign,
} from '../protocols/questions';
import { readSigns, SignReading, signsThatCount } from '../protocols/sign-reader';

export type FlagPriority = 'urgent' | 'high' | 'normal' | 'low';

/** Lower is more urgent; sorting by rank puts the flag to look at first on top. */
export const PRIORITY_RANK: Record<FlagPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export interface AnswerForRules {
  /** Null: an answer without scores (a warning sign in words); only warning-sign rules judge it. */
  scores: SymptomScores | null;
  /** Signs ticked on the form (an SMS ticks none: its signs are in signReadings). */
  warningSigns: WarningSign[];
  freeText: string | null;
  /**
   * How the signs named in the patient's words were read (sign-reader.ts); when absent the
   * rules read freeText themselves.
   */
  signReadings?: SignReading[] | null;
  /** Days since the (most recent) treatment session. */
  daySinceTreatment: number;
  /**
   * An earlier answer given before the session the current one is judged by (another session
   * of the course). A new session brings its own day-1 reaction, so a rise is only measured
   * against answers since that session; the quiet spell before a late onset spans sessions.
   */
  beforeSession?: boolean;
}

export interface RuleInput {
  current: AnswerForRules;
  /** The patient's earlier answers in this follow-up, oldest first. */
  history: AnswerForRules[];
  /** What is usual for each symptom by day, from the treatment's protocol. */
  course: ExpectedCourse;
}

export interface RuleHit {
  ruleId: string;
  ruleVersion: number;
  priority: FlagPriority;
  reason: string;
  evidence: Record<string, unknown>;
}

export interface Rule {
  id: string;
  version: number;
  evaluate(input: RuleInput): RuleHit | null;
}

/** How a practitioner would name each warning sign in a flag's reason. */
const WARNING_SIGN_WORDS: Record<WarningSign, string> = {
  fever: 'fever',
  discharge: 'discharge (pus or fluid)',
  spreading_redness: 'spreading redness',
  new_lump: 'new hard lump',
  skin_change: 'skin change (blisters or dark, grey or white skin)',
  airway_swelling: 'face/lip/throat swelling or difficulty breathing',
  hives: 'hives',
};

/** Early on, a one-point rise is ordinary settling; after this many days any rise is worth a look. */
const EARLY_DAYS = 3;
const EARLY_RISE_THRESHOLD = 2;

/** Signs of a delayed infection (e.g. atypical mycobacteria), which shows weeks after injections. */
export const LATE_ONSET_SIGNS: readonly WarningSign[] = ['new_lump', 'discharge', 'spreading_redness', 'skin_change'];
/** A late-onset sign counts as "late" after at least this many days reported free of symptoms. */
export const LATE_ONSET_QUIET_DAYS = 7;

/** Which symptom rule tells each symptom of this answer (see the header): one voice per symptom. */
type SymptomVoice = 'severe' | 'persisting' | 'above-expected' | 'usual';

interface SymptomReading {
  symptom: Symptom;
  score: number;
  voice: SymptomVoice;
  /** Usual maximum on this day (0 past the window). */
  expectedMax: number;
  /** Last day the symptom is usual at all (-1: never usual). */
  windowEnd: number;
  /** Score at the latest earlier scored answer, if any. */
  previous: number | null;
  /** The rise counts as worsening (by the early/late threshold). */
  rose: boolean;
}

function readSymptoms({ current, history, course }: RuleInput): SymptomReading[] {
  if (!current.scores) return [];
  const scores = current.scores;
  const day = current.daySinceTreatment;
  const last = latestScored(sinceSession(history));
  const minimumRise = minimumRiseOn(day);
  return SYMPTOMS.map((symptom) => {
    const score = scores[symptom];
    const max = expectedMax(course, symptom, day);
    const end = windowEnd(course, symptom);
    const previous = last ? last.scores![symptom] : null;
    const rose = previous !== null && score - previous >= minimumRise;
    // A symptom never usual (window -1) is "above expected" from day 0, not "persisting".
    const pastWindow = end >= 0 && day > end;
    let voice: SymptomVoice = 'usual';
    if (score >= SEVERE) voice = 'severe';
    else if (score > 0 && pastWindow && !rose) voice = 'persisting';
    else if (score > max && !pastWindow) voice = 'above-expected';
    return { symptom, score, voice, expectedMax: max, windowEnd: end, previous, rose };
  });
}

const warningSignRule: Rule = {
  id: 'warning-sign',
  // 2: signs in the patient's words are read with negation and doubt ("no fever" is not a
  // fever, "maybe pus" is pus), and the reason quotes the words it acted on.
  version: 2,
  evaluate({ current }) {
    const { signs, ticked, fromText, readings } = signsOf(current);
    if (signs.length === 0) return null;
    const onlyInText = fromText.filter((sign) => !ticked.includes(sign));
    const counted = readings.filter((r) => r.status !== 'negated');
    const negated = readings.filter((r) => r.status === 'negated' && !signs.includes(r.sign));
    const inTheirWords = counted.length ? `; in their words: ${counted.map(quoted).join(', ')}` : '';
    const saidNo = negated.length ? `; they said no to: ${negated.map(quoted).join(', ')}` : '';
    return {
      ruleId: warningSignRule.id,
      ruleVersion: warningSignRule.version,
      priority: 'urgent',
      reason: `Patient reported warning signs: ${wordsFor(signs)}${inTheirWords}${saidNo}`,
      evidence: { signs, ticked, fromText, onlyInText, readings, freeText: current.freeText },
    };
  },
};

/** "lips are swelling", or "pus" (unsure: "I think it might be"), or "fever" ("no"). */
function quoted(reading: SignReading): string {
  const words = JSON.stringify(reading.words);
  if (reading.status === 'hedged') return `${words} (unsure: ${JSON.stringify(reading.cue)})`;
  if (reading.status === 'negated') return `${words} (${JSON.stringify(reading.cue)})`;
  return words;
}

const severeSymptomRule: Rule = {
  id: 'severe-symptom',
  version: 1,
  evaluate({ current }) {
    const scores = current.scores;
    if (!scores) return null;
    const severe = SYMPTOMS.filter((symptom) => scores[symptom] >= SEVERE).map((symptom) => ({
      symptom,
      score: scores[symptom],
    }));
    if (severe.length === 0) return null;
    const listed = severe.map(({ symptom, score }) => `${symptomWord(symptom)} ${score}/${MAX_SEVERITY}`);
    return {
      ruleId: severeSymptomRule.id,
      ruleVersion: severeSymptomRule.version,
      priority: 'high',
      reason: `Severe symptoms: ${listed.join(', ')}`,
      evidence: { severe, threshold: SEVERE, daySinceTreatment: current.daySinceTreatment },
    };
  },
};

const aboveExpectedCourseRule: Rule = {
  id: 'above-expected-course',
  version: 1,
  evaluate(input) {
    const above = readSymptoms(input).filter((r) => r.voice === 'above-expected');
    if (above.length === 0) return null;
    const day = input.current.daySinceTreatment;
    const listed = above.map((r) => `${symptomWord(r.symptom)} ${r.score}/${MAX_SEVERITY} (usual: ${usualWords(r.expectedMax)})`);
    return {
      ruleId: aboveExpectedCourseRule.id,
      ruleVersion: aboveExpectedCourseRule.version,
      priority: 'normal',
      reason: `Worse than the usual course for day ${day}: ${listed.join(', ')}`,
      evidence: {
        above: above.map((r) => ({ symptom: r.symptom, score: r.score, expectedMax: r.expectedMax })),
        daySinceTreatment: day,
      },
    };
  },
};

const worseningRule: Rule = {
  id: 'worsening',
  // 2: high when a worsened symptom reaches severe; a rise above the usual course is told by
  // above-expected-course instead; judged against the latest earlier scored answer.
  version: 2,
  evaluate(input) {
    const previous = latestScored(sinceSession(input.history));
    if (!previous) return null;
    const current = input.current;
    const worsened = readSymptoms(input)
      .filter((r) => r.rose && r.voice !== 'above-expected')
      .map((r) => ({ symptom: r.symptom, from: r.previous!, to: r.score }));
    if (worsened.length === 0) return null;
    const reachedSevere = worsened.filter((w) => w.to >= SEVERE).map((w) => w.symptom);
    const changes = worsened.map(({ symptom, from, to }) => `${symptomWord(symptom)} ${from}→${to}`).join(', ');
    return {
      ruleId: worseningRule.id,
      ruleVersion: worseningRule.version,
      priority: reachedSevere.length ? 'high' : 'normal',
      reason:
        `Worse than the previous check-in (day ${previous.daySinceTreatment} → ` +
        `day ${current.daySinceTreatment}): ${changes}${reachedSevere.length ? ', now severe' : ''}`,
      evidence: {
        worsened,
        reachedSevere,
        minimumRise: minimumRiseOn(current.daySinceTreatment),
        daySinceTreatment: current.daySinceTreatment,
        previousDaySinceTreatment: previous.daySinceTreatment,
      },
    };
  },
};

const persistingSymptomRule: Rule = {
  id: 'persisting-symptom',
  version: 1,
  evaluate(input) {
    const persisting = readSymptoms(input).filter((r) => r.voice === 'persisting');
    if (persisting.length === 0) return null;
    const day = input.current.daySinceTreatment;
    const listed = persisting.map((r) => `${symptomWord(r.symptom)} ${r.score}/${MAX_SEVERITY} (usually gone after day ${r.windowEnd})`);
    return {
      ruleId: persistingSymptomRule.id,
      ruleVersion: persistingSymptomRule.version,
      priority: 'normal',
      reason: `Still present on day ${day}, longer than usual: ${listed.join(', ')}`,
      evidence: {
        persisting: persisting.map((r) => ({ symptom: r.symptom, score: r.score, windowEnd: r.windowEnd })),
        daySinceTreatment: day,
      },
    };
  },
};

const lateOnsetRule: Rule = {
  id: 'late-onset',
  version: 1,
  evaluate({ current, history }) {
    const late = signsOf(current).signs.filter((sign) => LATE_ONSET_SIGNS.includes(sign));
    if (late.length === 0) return null;
    // The quiet spell: the run of symptom-free answers just before this one. It must exist (we
    // cannot call something "late" without having heard the patient was well) and span
    // LATE_ONSET_QUIET_DAYS from its first answer to today.
    const quiet: AnswerForRules[] = [];
    for (let i = history.length - 1; i >= 0 && isQuiet(history[i]); i--) quiet.unshift(history[i]);
    if (quiet.length === 0) return null;
    const quietSince = quiet[0].daySinceTreatment;
    const day = current.daySinceTreatment;
    if (day - quietSince < LATE_ONSET_QUIET_DAYS) return null;
    return {
      ruleId: lateOnsetRule.id,
      ruleVersion: lateOnsetRule.version,
      priority: 'high',
      reason:
        `Late onset on day ${day}, after no symptoms since day ${quietSince}: ${wordsFor(late)}; ` +
        'possible delayed infection, consider atypical mycobacteria',
      evidence: { signs: late, daySinceTreatment: day, quietSinceDay: quietSince, quietAnswerDays: quiet.map((a) => a.daySinceTreatment) },
    };
  },
};

export const RULES: Rule[] = [warningSignRule, severeSymptomRule, lateOnsetRule, aboveExpectedCourseRule, worseningRule, persistingSymptomRule];

/** Every rule that fires, most urgent first (ties keep RULES order). */
export function evaluateRules(input: RuleInput): RuleHit[] {
  return RULES.map((rule) => rule.evaluate(input))
    .filter((hit): hit is RuleHit => hit !== null)
    .sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]);
}

/**
 * Ticked and written warning signs of an answer, each deduplicated in WARNING_SIGNS order. A
 * written sign counts when present or hedged, not when negated ("no fever").
 */
export function signsOf(answer: AnswerForRules): { signs: WarningSign[]; ticked: WarningSign[]; fromText: WarningSign[]; readings: SignReading[] } {
  const ticked = inWarningSignOrder(answer.warningSigns);
  const readings = answer.signReadings ?? readSigns(answer.freeText ?? '');
  const fromText = signsThatCount(readings);
  return { signs: inWarningSignOrder([...ticked, ...fromText]), ticked, fromText, readings };
}

/** No symptom at all and no warning sign: a scored answer of all zeros. */
function isQuiet(answer: AnswerForRules): boolean {
  return !!answer.scores && SYMPTOMS.every((s) => answer.scores![s] === 0) && signsOf(answer).signs.length === 0;
}

function sinceSession(history: AnswerForRules[]): AnswerForRules[] {
  return history.filter((answer) => !answer.beforeSession);
}

function latestScored(history: AnswerForRules[]): AnswerForRules | null {
  for (let i = history.length - 1; i >= 0; i--) if (history[i].scores) return history[i];
  return null;
}

function minimumRiseOn(day: number): number {
  return day > EARLY_DAYS ? 1 : EARLY_RISE_THRESHOLD;
}

/** Deduplicated, in WARNING_SIGNS order; anything not a known sign is dropped. */
function inWarningSignOrder(signs: readonly WarningSign[]): WarningSign[] {
  return WARNING_SIGNS.filter((sign) => signs.includes(sign));
}

function wordsFor(signs: WarningSign[]): string {
  return signs.map((sign) => WARNING_SIGN_WORDS[sign]).join(', ');
}

function symptomWord(symptom: Symptom): string {
  return SYMPTOM_LABELS[symptom].toLowerCase();
}

function usualWords(max: number): string {
  return max === 0 ? 'none' : `up to ${max}`;
}
