/**
 * Reads a patient's SMS reply to a check-in: a consent keyword, five symptom scores as numbers
 * or words in English, German, French or Spanish (optionally followed by free text), some of
 * the five (a partial answer), or something a person has to read.
 */
import { foldText, phraseVariants } from '../protocols/free-text';
import {
  MAX_SEVERITY,
  SYMPTOMS,
  Symptom,
  SymptomScores,
  WarningSign,
} from '../protocols/questions';
import { readSigns, SignReading, signsThatCount, warningSignsInText } from '../protocols/sign-reader';
import {
  BREAK_WORDS,
  CLEAR_AFTER_WORDS,
  FILLER_WORDS,
  INTENSIFIERS,
  Level,
  LEVEL_WORDS,
  NEGATORS,
  REST_NONE_WORDS,
  REST_WORDS,
  SHORT_LABELS,
  SYMPTOM_WORDS,
  TIME_WORDS,
} from './reply-words';

export { warningSignsInText };

export type ConsentKeyword = 'stop' | 'start' | 'help';

export type ParsedReply =
  | { kind: 'keyword'; keyword: ConsentKeyword }
  | { kind: 'scores'; scores: SymptomScores; warningSigns: WarningSign[]; signReadings: SignReading[] }
  /** Some symptoms scored, the others (`missing`, in SYMPTOMS order) not: ask for just those. */
  | { kind: 'partial'; scores: Partial<SymptomScores>; missing: Symptom[]; warningSigns: WarningSign[]; signReadings: SignReading[] }
  | { kind: 'unreadable'; warningSigns: WarningSign[]; signReadings: SignReading[] };
// warningSigns: the signs that count (present or hedged); signReadings: every sign named, negated ones too.

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

/** Whole-message shorthands for "nothing at all", folded (no accents). */
const ALL_CLEAR = new Set(
  [
    '0', 'none', 'no symptoms', 'all fine', 'all good', 'all ok', 'all okay', 'nothing', 'none at all', 'nothing at all', 'no problems',
    'keine', 'keine beschwerden', 'keine symptome', 'alles gut', 'alles ok', 'alles in ordnung', 'nichts',
    'rien', 'aucun', 'aucune', 'aucun symptome', 'rien du tout', 'tout va bien',
    'nada', 'ninguno', 'todo bien', 'sin sintomas', 'ningun sintoma', 'todo perfecto',
  ].map(foldText),
);

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
  return combine([readReply(message)]);
}

/**
 * Five scores by themselves ("1 0 2 0 1", "0", "b1 r0 i2 bu0 p1"): read after any earlier parts
 * they replace them all (see combineReplies), so the earlier texts need not be read.
 */
export function isWholeAnswer(text: string): boolean {
  const message = typeof text === 'string' ? text : '';
  return !consentKeyword(message) && readReply(message).kind === 'complete';
}

/**
 * Several replies to one check-in read as one answer, oldest first: "bruising bad" then
 * "itching 1 burning 0 pain 2" then "redness 0". A later score for a symptom replaces an
 * earlier one; "rest fine" fills only the symptoms no reply has named; five numbers replace
 * everything before them. Consent keywords are not answers and are skipped.
 */
export function combineReplies(texts: readonly string[]): ParsedReply {
  const messages = texts.map((t) => (typeof t === 'string' ? t : '')).filter((t) => !consentKeyword(t));
  return combine(messages.map(readReply));
}

/**
 * A longer text asking not to be messaged any more ("please stop texting me", "bitte keine SMS
 * mehr", "arrêtez les messages", "no me envíen más mensajes"). Not an opt-out: carriers only
 * act on the whole-message keywords, so a person calls the patient instead. False for the
 * keywords themselves, which parseSmsReply reads.
 */
export function isStopRequest(text: string): boolean {
  if (typeof text !== 'string' || consentKeyword(text)) return false;
  const folded = foldText(text);
  const bare = folded.replace(/[^\p{L}\p{N}'\s]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return BARE_STOP.test(bare) || STOP_REQUESTS.some((pattern) => pattern.test(folded));
}

// ---------------------------------------------------------------------------------------------
// Whole replies

/** What one message says, before it is combined with the others. */
type Reading =
  | { kind: 'complete'; scores: SymptomScores; signReadings: SignReading[] }
  | { kind: 'words'; named: Map<Symptom, number>; mentioned: Set<Symptom>; rest: number | null; signReadings: SignReading[] }
  | { kind: 'unreadable'; signReadings: SignReading[] };

function readReply(message: string): Reading {
  const signReadings = readSigns(message);
  const complete = allClear(message) ?? numberedScores(message) ?? labelledScores(message);
  if (complete) return { kind: 'complete', scores: complete, signReadings };
  const words = wordScores(message);
  return words ? { kind: 'words', ...words, signReadings } : { kind: 'unreadable', signReadings };
}

function combine(readings: Reading[]): ParsedReply {
  const named = new Map<Symptom, number>();
  const mentioned = new Set<Symptom>();
  const signReadings: SignReading[] = [];
  let rest: number | null = null;
  for (const reading of readings) {
    signReadings.push(...reading.signReadings);
    if (reading.kind === 'complete') {
      for (const s of SYMPTOMS) {
        named.set(s, reading.scores[s]);
        mentioned.add(s);
      }
      rest = null;
    } else if (reading.kind === 'words') {
      reading.named.forEach((v, s) => named.set(s, v));
      reading.mentioned.forEach((s) => mentioned.add(s));
      if (reading.rest !== null) rest = reading.rest;
    }
  }
  // "Rest fine" is about the symptoms not talked about; one named without a level is still unknown.
  if (rest !== null) for (const s of SYMPTOMS) if (!mentioned.has(s)) named.set(s, rest);
  const warningSigns = signsThatCount(signReadings);
  if (named.size === SYMPTOMS.length) {
    return { kind: 'scores', scores: Object.fromEntries(SYMPTOMS.map((s) => [s, named.get(s)!])) as SymptomScores, warningSigns, signReadings };
  }
  if (named.size > 0) {
    const scores = Object.fromEntries(SYMPTOMS.filter((s) => named.has(s)).map((s) => [s, named.get(s)!])) as Partial<SymptomScores>;
    return { kind: 'partial', scores, missing: SYMPTOMS.filter((s) => !named.has(s)), warningSigns, signReadings };
  }
  return { kind: 'unreadable', warningSigns, signReadings };
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
 * "0", "none", "alles gut"… only as the whole message: "no symptoms except pain" must not
 * become all zeros, so anything longer is left to the other readers or a person.
 */
function allClear(message: string): SymptomScores | null {
  return ALL_CLEAR.has(foldText(bareWords(message))) ? scoresFrom([0, 0, 0, 0, 0]) : null;
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

// ---------------------------------------------------------------------------------------------
// Words: "bruising bad, rest fine", "Bluterguss leicht, Rötung keine", "mucho dolor"

/** What a word or phrase means to the reader. */
type Meaning =
  | { k: 'symptom'; symptom: Symptom }
  | { k: 'level'; value: Level; afterOnly: boolean }
  | { k: 'rest' }
  | { k: 'restNone' }
  | { k: 'intensifier' }
  | { k: 'negator' }
  | { k: 'filler' }
  | { k: 'break' };

/** One thing in a reply, in order. */
type Item =
  | { k: 'symptom'; symptom: Symptom }
  | { k: 'rest' }
  | { k: 'level'; value: number; afterOnly: boolean }
  /** A digit; `value` is NaN for anything but one digit. */
  | { k: 'number'; value: number }
  /** A level we will not guess at ("not severe"): its symptom stays unknown. */
  | { k: 'unclear' }
  | { k: 'intensifier' }
  | { k: 'negator' }
  | { k: 'filler' }
  | { k: 'break' }
  /** A word the reader does not know: it separates what is on either side. */
  | { k: 'word'; hasDigit: boolean };

interface Phrase {
  tokens: string[];
  meaning: Meaning;
}

const TOKEN = /[\p{L}\p{N}]+|\n|[^\s\p{L}\p{N}]/gu;
const BREAK_PUNCTUATION = new Set([',', ';', '.', '!', '?', '\n', '(', ')', '/', '&', '+', '|']);
const DIGITS = /^[0-9]+$/;
const LABEL_GLUED_TO_NUMBER = /^(\p{L}+)([0-9]+)$/u;
const TIMES = new Set(TIME_WORDS);

function tokenize(folded: string): string[] {
  return folded.match(TOKEN) ?? [];
}

/** Every phrase of reply-words.ts by its first token, longest first; built once. */
const PHRASES: ReadonlyMap<string, Phrase[]> = buildPhrases();

function buildPhrases(): Map<string, Phrase[]> {
  const byKey = new Map<string, Phrase>();
  const add = (phrases: readonly string[], meaning: Meaning) => {
    for (const phrase of phrases) {
      for (const variant of phraseVariants(phrase)) {
        const tokens = tokenize(variant);
        const key = tokens.join(' ');
        const known = byKey.get(key);
        // Fails the tests at once if a word list gives one spelling two meanings.
        if (known && JSON.stringify(known.meaning) !== JSON.stringify(meaning)) {
          throw new Error(`reply-words: "${phrase}" is both ${JSON.stringify(known.meaning)} and ${JSON.stringify(meaning)}`);
        }
        byKey.set(key, { tokens, meaning });
      }
    }
  };
  for (const s of SYMPTOMS) add(Object.values(SYMPTOM_WORDS[s]).flat(), { k: 'symptom', symptom: s });
  for (const byLevel of Object.values(LEVEL_WORDS)) {
    for (const [level, words] of Object.entries(byLevel)) add(words, { k: 'level', value: Number(level) as Level, afterOnly: false });
  }
  add(Object.values(CLEAR_AFTER_WORDS).flat(), { k: 'level', value: 0, afterOnly: true });
  add(Object.values(REST_WORDS).flat(), { k: 'rest' });
  add(Object.values(REST_NONE_WORDS).flat(), { k: 'restNone' });
  add(INTENSIFIERS, { k: 'intensifier' });
  add(NEGATORS, { k: 'negator' });
  add(FILLER_WORDS, { k: 'filler' });
  add(BREAK_WORDS, { k: 'break' });

  const byFirst = new Map<string, Phrase[]>();
  for (const phrase of byKey.values()) {
    const list = byFirst.get(phrase.tokens[0]) ?? [];
    list.push(phrase);
    byFirst.set(phrase.tokens[0], list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  return byFirst;
}

function longestPhrase(tokens: string[], at: number): Phrase | null {
  for (const phrase of PHRASES.get(tokens[at]) ?? []) {
    if (phrase.tokens.every((t, i) => tokens[at + i] === t)) return phrase;
  }
  return null;
}

function numberItem(token: string): Item {
  return { k: 'number', value: token.length === 1 ? Number(token) : NaN };
}

/** The reply as items: phrases from the word lists, numbers, short labels before a number, unknown words. */
function lex(tokens: string[]): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i];
    // "b1", "pain2": a label run into its number.
    const glued = LABEL_GLUED_TO_NUMBER.exec(token);
    const gluedSymptom = glued ? (SHORT_LABELS[glued[1]] ?? singleWordSymptom(glued[1])) : null;
    if (glued && gluedSymptom) {
      items.push({ k: 'symptom', symptom: gluedSymptom }, numberItem(glued[2]));
      i++;
      continue;
    }
    // "b 1", "p=2": a reply-format label counts only with its number; alone, "i" is a pronoun.
    if (SHORT_LABELS[token] && numberFollows(tokens, i + 1)) {
      items.push({ k: 'symptom', symptom: SHORT_LABELS[token] });
      i++;
      continue;
    }
    const phrase = longestPhrase(tokens, i);
    if (phrase) {
      const m = phrase.meaning;
      // "Nothing else" is "the rest: none".
      if (m.k === 'restNone') items.push({ k: 'rest' }, { k: 'level', value: 0, afterOnly: false });
      else items.push(m);
      i += phrase.tokens.length;
      continue;
    }
    if (DIGITS.test(token)) items.push(TIMES.has(tokens[i - 1]) || TIMES.has(tokens[i + 1]) ? { k: 'word', hasDigit: false } : numberItem(token));
    else if (BREAK_PUNCTUATION.has(token)) items.push({ k: 'break' });
    else if (/[\p{L}\p{N}]/u.test(token)) items.push({ k: 'word', hasDigit: /[0-9]/.test(token) });
    else items.push({ k: 'filler' });
    i++;
  }
  return items;
}

function singleWordSymptom(word: string): Symptom | null {
  const phrase = (PHRASES.get(word) ?? []).find((p) => p.tokens.length === 1);
  return phrase?.meaning.k === 'symptom' ? phrase.meaning.symptom : null;
}

function numberFollows(tokens: string[], at: number): boolean {
  const next = ['=', ':', '-'].includes(tokens[at]) ? at + 1 : at;
  return DIGITS.test(tokens[next] ?? '');
}

/** "very bad" → 4, "very mild" → 1, "not severe" → unclear; a lone "very" is filler, a lone "not" a word. */
function applyModifiers(items: Item[]): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.k !== 'intensifier' && item.k !== 'negator') {
      out.push(item);
      continue;
    }
    let j = i;
    while (items[j]?.k === 'intensifier' || items[j]?.k === 'negator') j++;
    const run = items.slice(i, j);
    const next = items[j];
    const negated = run.some((r) => r.k === 'negator');
    if (negated && (next?.k === 'level' || next?.k === 'number')) {
      out.push({ k: 'unclear' });
      i = j;
      continue;
    }
    if (next?.k === 'level') {
      out.push({ ...next, value: next.value === 3 ? 4 : next.value });
      i = j;
      continue;
    }
    for (const r of run) out.push(r.k === 'negator' ? { k: 'word', hasDigit: false } : { k: 'filler' });
    i = j - 1;
  }
  return out;
}

/**
 * Pairs each level with the symptom (or "rest") next to it: after it ("bruising bad") first,
 * else before it ("mild bruising"). Only filler words may sit between them; a comma, "and" or
 * an unknown word separates. Null when the reply says nothing we can use, names one symptom
 * twice with different levels, or has a number we cannot place ("pain 2 since day 3"): a
 * person reads those.
 */
function wordScores(message: string): { named: Map<Symptom, number>; mentioned: Set<Symptom>; rest: number | null } | null {
  const items = applyModifiers(lex(tokenize(foldText(message))));
  const named = new Map<Symptom, number>();
  const mentioned = new Set<Symptom>();
  let rest: number | null = null;
  let unusable = false;

  // Runs of items with only filler between them; anything else ends a run.
  const runs: Item[][] = [[]];
  for (const item of items) {
    if (item.k === 'filler') continue;
    if (item.k === 'break' || item.k === 'word') {
      if (item.k === 'word' && item.hasDigit) unusable = true;
      runs.push([]);
      continue;
    }
    if (item.k === 'symptom') mentioned.add(item.symptom);
    runs[runs.length - 1].push(item);
  }

  for (const run of runs) {
    const bound = new Set<number>();
    const isTarget = (at: number) => (run[at]?.k === 'symptom' || run[at]?.k === 'rest') && !bound.has(at);
    run.forEach((item, at) => {
      if (item.k !== 'level' && item.k !== 'number' && item.k !== 'unclear') return;
      let target: number | null = null;
      if (isTarget(at - 1)) target = at - 1;
      else if (isTarget(at + 1) && (run[at + 1].k === 'rest' ? item.k !== 'number' : item.k === 'unclear' || (item.k === 'level' && !item.afterOnly))) target = at + 1;
      if (target === null) {
        if (item.k === 'number') unusable = true;
        return;
      }
      bound.add(target);
      if (item.k === 'unclear') return;
      const value = item.value;
      if (!Number.isInteger(value) || value < 0 || value > MAX_SEVERITY) {
        unusable = true;
        return;
      }
      const t = run[target];
      if (t.k === 'symptom') {
        if (named.has(t.symptom) && named.get(t.symptom) !== value) unusable = true;
        named.set(t.symptom, value);
      } else {
        if (rest !== null && rest !== value) unusable = true;
        rest = value;
      }
    });
  }
  if (unusable || (named.size === 0 && rest === null)) return null;
  return { named, mentioned, rest };
}

// ---------------------------------------------------------------------------------------------
// Asking to stop in one's own words

/** The whole message is a stop word and politeness: "stop please", "Stopp bitte", "arrêtez svp", "basta ya". */
const BARE_STOP =
  /^(?:(?:please|pls|plz|bitte|svp|por favor) )?(?:stop|stopp|stoppt|halt|arret|arrete|arretez|para|pare|paren|basta|alto)(?: (?:please|pls|plz|now|thanks|thank you|thx|it|that|bitte|danke|sofort|merci|svp|s'il vous plait|s'il te plait|maintenant|por favor|ya|gracias|ahora))*$/;

/** On folded text (no accents, lower case). */
const STOP_REQUESTS: RegExp[] = [
  // English
  /\bstop(?:ping)? (?:sending|texting|txting|messaging|contacting|calling|emailing|bothering)\b/,
  /\bstop (?:all |the |these |those |your |this |all the |all these |all your )?(?:texts?|txts?|messages?|msgs?|sms|smses|reminders?|check-?ins?|e-?mails?)\b/,
  /\b(?:do ?n'?t|do not|never) (?:ever )?(?:text|txt|message|msg|sms|contact|send|write|email|e-mail|bother|call)(?: to)? me\b/,
  /\bno (?:more|further) (?:texts?|txts?|messages?|msgs?|sms|smses|reminders?|check-?ins?|contact)\b/,
  /\b(?:do ?n'?t|do not|no longer) (?:want|wish) (?:to (?:receive|get) )?(?:(?:any|these|those|your|the|more|any more|anymore|further) )*(?:texts?|messages?|sms|reminders?|check-?ins?)\b/,
  /\bunsubscribe\b/,
  /\bopt(?:ing)?[ -]?(?:me )?out\b/,
  /\b(?:take|remove) me (?:off|from)\b/,
  /\bleave me alone\b/,
  // German
  /\bkeine (?:weiteren |weitere )?(?:sms|nachrichten|textnachrichten|texte|mitteilungen|erinnerungen|e-?mails|mails)\b/,
  /\b(?:nicht mehr|nie wieder) (?:schreiben|anschreiben|kontaktieren|simsen|texten|benachrichtigen|anrufen)\b/,
  /\b(?:schreiben|simsen|texten|kontaktieren|schicken|senden|nerven) sie mir (?:bitte )?(?:nichts |nicht )?mehr\b/,
  /\b(?:schreib|schick|kontaktier) mir (?:bitte )?(?:nichts |nicht )?mehr\b/,
  /\bh(?:o|oe)r(?:en sie)? (?:bitte )?(?:damit )?auf\b/,
  /\baufh(?:o|oe)ren(?:,)? (?:mir )?(?:zu )?(?:schreiben|simsen|texten|nachrichten)/,
  /\b(?:abmelden|abbestellen|austragen)\b/,
  /\bmelden sie mich (?:bitte )?ab\b/,
  /\blass(?:en sie)? mich in ruhe\b/,
  // French
  /\barret(?:e|ez|er)\b[^.!?]{0,30}?\b(?:messages?|sms|textos?|envois?|m'?\s?envoyer|me contacter|m'?\s?ecrire|relances?|rappels?)\b/,
  /\bne m'?\s?(?:envoyez|envoie|envoyer|ecrivez|ecris|contactez|contacte)\b[^.!?]{0,20}?\bplus\b/,
  /\bplus (?:de |d'|aucun )?(?:messages?|sms|textos?)\b/,
  /\bje ne (?:veux|souhaite) plus (?:recevoir|de |d'|aucun)/,
  /\b(?:me )?desabonn\w*/,
  /\bdesinscri\w*/,
  /\blaissez[ -]moi tranquille\b/,
  // Spanish
  /\bno me (?:envie[ns]?|envies|mande[ns]?|mandes|escriba[ns]?|escribas|contacte[ns]?|contactes|llamen|molesten)\b/,
  /\bdej(?:en|e|a|ad) de (?:enviar|mandar|escribir|contactar|molestar)\w*/,
  /\bno (?:quiero|deseo) (?:recibir\b|(?:mas |ningun |estos |sus )*(?:mensajes|sms|textos|recordatorios)\b)/,
  /\bno mas (?:mensajes|sms|textos|recordatorios)\b/,
  /\b(?:dar(?:me|se)?|den(?:me)?) de baja\b/,
  /\bbasta de (?:mensajes|sms|textos)\b/,
  /\bdej(?:en|a)me en paz\b/,
];
