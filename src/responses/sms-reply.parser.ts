/**
 * Reads a patient's SMS reply to a check-in: a consent keyword, five symptom scores
 * (optionally followed by free text), or something a person has to read.
 */
import {
  MAX_SEVERITY,
  SYMPTOMS,
  Symptom,
  SymptomScores,
  WARNING_SIGNS,
  WarningSign,
} from '../protocols/questions';
import { warningSignsInText } from '../protocols/warning-signs';

export { warningSignsInText };

export type ConsentKeyword = 'stop' | 'start' | 'help';

export type ParsedReply =
  | { kind: 'keyword'; keyword: ConsentKeyword }
  | { kind: 'scores'; scores: SymptomScores; warningSigns: WarningSign[] }
  | { kind: 'unreadable'; warningSigns: WarningSign[] };

/** Carrier-standard opt-out / opt-in / help words; only a whole message counts. */
const CONSENT_KEYWORDS: Record<string, ConsentKeyword> = {
  stop: 'stop',
  stopall: 'stop',
  'stop all': 'stop',
  unsubscribe: 'stop',
  cancel: 'stop',
  end: 'stop',
  quit: 'stop',
  revoke: 'stop',
  optout: 'stop',
  start: 'start',
  unstop: 'start',
  yes: 'start',
  help: 'help',
  info: 'help',
};

/** Whole-message shorthands for "nothing at all". */
const ALL_CLEAR = new Set(['0', 'none', 'no symptoms', 'all fine', 'all good']);

/** Longest spelling first so "bu" wins over "b" and "redness" over "r". */
const SYMPTOM_LABELS: ReadonlyArray<[string, Symptom]> = [
  ['bruising', 'bruising'],
  ['bruise', 'bruising'],
  ['burning', 'burning'],
  ['burn', 'burning'],
  ['bu', 'burning'],
  ['b', 'bruising'],
  ['redness', 'redness'],
  ['red', 'redness'],
  ['r', 'redness'],
  ['itching', 'itching'],
  ['itch', 'itching'],
  ['i', 'itching'],
  ['pain', 'pain'],
  ['p', 'pain'],
];
const LABEL_TO_SYMPTOM = new Map(SYMPTOM_LABELS);
/** One "label score" pair, e.g. "bu0", "redness 2", "p=1"; the sticky flag makes pairs contiguous. */
const LABEL_ALTERNATIVES = SYMPTOM_LABELS.map(([label]) => label).join('|');
const LABELLED_SCORE_SOURCE = `[\\s,;/]*(${LABEL_ALTERNATIVES})\\s*[=:-]?\\s*(\\d+)(?![\\p{L}\\d])`;

/** Numbers separated by spaces, commas, semicolons, slashes or dashes, then nothing or a non-letter. */
const LEADING_NUMBERS = /^(\d+(?:[\s,;/-]+\d+)*)(?![\p{L}\d])/u;


/** Never throws: anything it cannot read is 'unreadable' and goes to a person. */
export function parseSmsReply(text: string): ParsedReply {
  const message = typeof text === 'string' ? text : '';
  const keyword = consentKeyword(message);
  if (keyword) return { kind: 'keyword', keyword };

  const warningSigns = warningSignsInText(message);
  const scores = allClear(message) ?? numberedScores(message) ?? labelledScores(message);
  return scores ? { kind: 'scores', scores, warningSigns } : { kind: 'unreadable', warningSigns };
}


function consentKeyword(message: string): ConsentKeyword | null {
  return CONSENT_KEYWORDS[bareWords(message)] ?? null;
}

/** Lower case, outer punctuation/whitespace gone, inner whitespace collapsed: "  Stop  All! " → "stop all". */
function bareWords(message: string): string {
  return message
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/**
 * "0", "none", "all good"… only as the whole message: "no symptoms except pain" must not
 * become all zeros, so anything longer is left to the other readers or a person.
 */
function allClear(message: string): SymptomScores | null {
  return ALL_CLEAR.has(bareWords(message)) ? scoresFrom([0, 0, 0, 0, 0]) : null;
}

/** "1 0 2 0 1", "1,0,2,0,1", "10201", each optionally followed by free text. */
function numberedScores(message: string): SymptomScores | null {
  const match = LEADING_NUMBERS.exec(message.trim());
  if (!match) return null;
  const tokens = match[1].split(/[\s,;/-]+/);
  // Five digits run together ("10201") is the one way a single token carries all five.
  const values = tokens.length === 1 && tokens[0].length === SYMPTOMS.length ? [...tokens[0]] : tokens;
  if (values.length !== SYMPTOMS.length || values.some((v) => v.length !== 1)) return null;
  return scoresFrom(values.map(Number));
}

/** "b1 r0 i2 bu0 p1", "bruising 1 redness 0 …", "b=1 r=0 …": any order, all five, then optional free text. */
function labelledScores(message: string): SymptomScores | null {
  const found = new Map<Symptom, number>();
  const source = message.trim();
  const pair = new RegExp(LABELLED_SCORE_SOURCE, 'iuy');
  // Pairs must follow one another from the start; the first gap ends them and starts the free text.
  for (let match = pair.exec(source); match; match = pair.exec(source)) {
    const symptom = LABEL_TO_SYMPTOM.get(match[1].toLowerCase())!;
    const score = Number(match[2]);
    // The same symptom given twice with different scores: we can't know which one they meant.
    if (found.has(symptom) && found.get(symptom) !== score) return null;
    found.set(symptom, score);
  }
  if (found.size !== SYMPTOMS.length) return null;
  return scoresFrom(SYMPTOMS.map((s) => found.get(s)!));
}

/** Scores in SYMPTOMS order, or null if any is outside 0–MAX_SEVERITY. */
function scoresFrom(values: number[]): SymptomScores | null {
  if (values.some((v) => !Number.isInteger(v) || v < 0 || v > MAX_SEVERITY)) return null;
  return Object.fromEntries(SYMPTOMS.map((symptom, i) => [symptom, values[i]])) as SymptomScores;
}
