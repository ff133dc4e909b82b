/**
 * Decides, for each warning sign a patient names in free text, whether they said they have it,
 * said they do not, or are not sure: a small NegEx/ConText-style reader over English, German,
 * French and Spanish at once (patients mix, and the check-in's language is not proof of the
 * reply's). Pure: text in, readings out.
 *
 * How it reads (all on folded text: lower case, no accents, see foldText):
 *  - A *negation cue* before a sign ("no", "not", "without", "kein", "ohne", "pas de", "sans",
 *    "sin", "ni", "neither … nor", "weder … noch") negates it if it is in the same clause, at
 *    most NEGATION_WINDOW words before it, with no new subject between ("no i have a fever").
 *    A cue after it ("fever? no", "Fieber: nein", "fièvre : non", "fiebre no", "Fieber habe ich
 *    nicht") negates it when the clause ends right after.
 *  - A *hedge* ("I think", "maybe", "not sure if", "vielleicht", "peut-être", "quizás", "tal
 *    vez", "creo que") in the same clause makes it `hedged`, which counts as present, and wins
 *    over a negation ("maybe no pus" is a doubt, not a denial).
 *  - A clause ends at . ! ? ; : , a line break, a dash, an emoji, and at conjunctions and
 *    contrast words ("but", "and", "just", "aber", "und", "sondern", "mais", "et", "pero", "y",
 *    "sino", …). So "no fever but my lips are swelling" negates only the fever, and "no fever,
 *    chills" reads the chills as present: where the scope is unclear, the sign counts.
 *  - Words that look like negations but are not ("not only", "won't stop", "no better", "no doubt")
 *    and signs that contain one ("can't breathe", "bekomme keine Luft", "no puedo respirar")
 *    are not taken as cues.
 * Safety bias: only a clear, close negation makes a sign not count; every other reading counts it.
 */
import { foldWithOrigins } from './free-text';
import { WARNING_SIGNS, WarningSign } from './questions';
import { signMentions } from './warning-signs';

/** present: said to be there; hedged: not sure (counts as present); negated: said not to be there. */
export type SignStatus = 'present' | 'hedged' | 'negated';
export const SIGN_STATUSES: readonly SignStatus[] = ['present', 'hedged', 'negated'];

export interface SignReading {
  sign: WarningSign;
  status: SignStatus;
  /** The patient's own words that named the sign, as written ("lips are swelling"). */
  words: string;
  /** The patient's words that negated or hedged it ("no", "not sure if"), as written; null when present. */
  cue: string | null;
}

/** Words (at most) between a negation cue and the sign it negates: "no real high fever". */
export const NEGATION_WINDOW = 5;
/** Words (at most) between a hedge and the sign it makes uncertain. */
export const HEDGE_WINDOW = 8;

interface Span {
  start: number;
  end: number;
}

const W = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const APOS = "'?\\s?";
const words = (list: readonly string[]) =>
  new RegExp(`${W}(?:${[...list].sort((a, b) => b.length - a.length).map((w) => w.replace(/'/g, APOS).replace(/ /g, '[\\s-]+')).join('|')})${E}`, 'gu');

/** Negation cues before a sign. "noch" only counts after "weder" (alone it means "still"). */
const NEGATION_CUES = words([
  // English
  'no', 'not', 'nor', 'neither', 'never', 'without', 'none', 'zero', 'nothing', 'free of', 'no sign of', 'no signs of', 'no more', 'nt',
  "don't", "doesn't", "didn't", "haven't", "hasn't", "hadn't", "isn't", "aren't", "wasn't", "weren't", "ain't", "won't", 'dont', 'didnt', 'havent', 'hasnt', 'isnt', 'arent', 'wasnt', 'doesnt',
  // German
  'kein', 'keine', 'keinen', 'keiner', 'keines', 'keinem', 'keins', 'kien', 'kiene', 'keien', 'nicht', 'nich', 'ned', 'net', 'ohne', 'weder', 'noch', 'nie', 'niemals', 'null', 'nix', 'nichts', 'nichts von',
  // French ("pas" covers "je n'ai pas de"; "ne … plus" below)
  'pas', 'pa de', 'sans', 'ni', 'aucun', 'aucune', 'aucuns', 'aucunes', 'jamais', 'point de', 'nul', 'nulle', 'rien', 'rien de',
  "n'ai plus", "n'a plus", "n'y a plus", "n'ai jamais", "n'y a pas",
  // Spanish
  'sin', 'nada de', 'nada', 'ningun', 'ninguna', 'ninguno', 'tampoco', 'nunca', 'jamas', 'cero',
]);

/** Doubt: the sign counts, marked hedged. */
const HEDGE_CUES = words([
  // English
  'i think', 'think', 'thinking', 'i thought', 'might', 'might be', 'may be', 'maybe', 'mayb', 'possibly', 'possible', 'probably', 'perhaps',
  'not sure', 'not sure if', 'not certain', 'unsure', "don't know if", "dont know if", 'do not know if', 'no idea if', 'could be', 'could',
  'looks like', 'look like', 'seems', 'seems like', 'kind of', 'kinda', 'sort of', 'suspect', 'worried', 'worry', 'afraid', 'concerned',
  'i guess', 'guess', 'wonder if', 'wondering if', 'is it', 'is this', 'hopefully', 'hope', 'not 100%', 'unclear',
  // German
  'vielleicht', 'ich glaube', 'glaube', 'glaub', 'ich denke', 'denke', 'konnte', 'koennte', 'kann sein', 'moglicherweise', 'moeglicherweise',
  'wahrscheinlich', 'eventuell', 'evtl', 'vermutlich', 'weiss nicht ob', 'weis nicht ob', 'weiss nicht', 'nicht sicher ob', 'nicht sicher',
  'bin mir nicht sicher', 'keine ahnung ob', 'keine ahnung', 'sieht aus wie', 'sieht nach', 'scheint', 'ob das', 'ist das', 'sorge', 'befurchte', 'befuerchte', 'hoffentlich', 'unsicher',
  // French
  'peut etre', 'peutetre', 'je pense', 'pense', 'je crois', 'crois', 'on dirait', 'dirait', 'il me semble', 'semble', 'pas sur', 'pas sure', 'pas certain', 'pas certaine',
  'je ne sais pas si', 'je sais pas si', 'sais pas si', 'sais pas', 'chais pas', 'jsp', 'probablement', 'possiblement', 'pourrait', 'ressemble', "j'ai peur", 'peur que',
  'est ce que', "c'est du", "c'est de la", "j'espere", 'sans doute', 'incertain',
  // Spanish
  'quizas', 'quiza', 'tal vez', 'talvez', 'a lo mejor', 'creo', 'creo que', 'pienso', 'puede que', 'puede ser', 'podria', 'no se si', 'nose si', 'no se que',
  'no estoy segura', 'no estoy seguro', 'no estoy segura si', 'no estoy seguro si', 'parece', 'parece que', 'posiblemente', 'probablemente', 'sera', 'me temo', 'ojala', 'no se que es',
]);

/** Look like negations, are not: "not only", "won't stop", "no better", "no doubt", "sin duda". */
const PSEUDO_NEGATIONS = new RegExp(
  `${W}(?:` +
    [
      "(?:won'?t|doesn'?t|didn'?t|not|can'?t|isn'?t|never|wont|dont) (?:stop|stopping|go away|going away|go down|going down|get better|getting better|improve|improving|heal|healing|settle|settling|ease|easing|subside|subsiding|clear|clearing)",
      'not only', 'not just', 'no change', 'no improvement', 'no better', 'no worse', 'no doubt', 'no less',
      'nicht nur', 'nicht besser', 'nicht weg', 'nicht weniger', 'nicht zuruck', 'nicht zurueck', '(?:hort|hoert|geht) nicht (?:auf|weg|zuruck|zurueck|runter)', 'ohne zweifel', 'keine besserung', 'nicht mehr auszuhalten',
      'pas seulement', 'pas que', 'pas mieux', "pas d'?\\s?amelioration", "ne (?:part|passe|diminue|baisse|guerit|s'?\\s?arrete) (?:pas|plus)",
      'no solo', 'no solamente', 'no (?:se va|se quita|baja|para|mejora|cede|desaparece)', 'sin duda', 'sin mejoria',
    ].join('|') +
    `)${E}`,
  'gu',
);

/** Signs whose own words hold a negation: the negation is the sign. */
const NEGATIVE_SIGN_WORDS = new RegExp(
  `${W}(?:can'?\\s?t breathe?|can ?not breathe?|kann (?:nicht|kaum) atmen|(?:bekomme?|kriege?) keine luft|n'?\\s?arrive pas a respirer|ne (?:peux|peut|pouvons) pas respirer|no (?:puedo|puede|podia|consigo) respirar)${E}`,
  'gu',
);

/** Words that end a clause: contrast and joining conjunctions. "or", "nor", "oder", "ou", "o", "ni" carry a list on. */
const CLAUSE_WORDS = [
  'but', 'however', 'though', 'although', 'except', 'apart from', 'aside from', 'besides', 'yet', 'and', 'plus', 'also', 'only', 'just', 'still', 'whereas', 'while', 'instead', 'rather', 'now',
  'aber', 'jedoch', 'doch', 'sondern', 'allerdings', 'ausser', 'nur', 'und', 'auch', 'trotzdem', 'dafur', 'dafuer', 'stattdessen', 'jetzt', 'hingegen', 'obwohl', 'bloss', 'immer noch',
  'mais', 'cependant', 'pourtant', 'toutefois', 'sauf', 'excepte', 'a part', 'par contre', 'en revanche', 'et', 'seulement', 'juste', 'sinon', 'quand meme', 'alors que', 'tandis que', 'maintenant', 'aussi',
  'pero', 'sino', 'aunque', 'excepto', 'salvo', 'menos', 'sin embargo', 'y', 'e', 'solo', 'solamente', 'nomas', 'aparte', 'en cambio', 'mientras', 'ahora', 'tambien',
];
const CLAUSE_WORD_PATTERN = words(CLAUSE_WORDS);
const CLAUSE_WORDS_SOURCE = CLAUSE_WORD_PATTERN.source;
/** Punctuation, dashes between words, and emoji end a clause too. */
const CLAUSE_MARKS = /[.!?;:,()[\]{}\n]|\s[-–—]+\s|[–—]|\p{Extended_Pictographic}/gu;

/** A new subject between a negation and a sign starts a new statement: "no i have a fever". */
const SUBJECTS = new RegExp(
  `${W}(?:i|im|ive|my|we|our|she|his|her|they|their|it|its|this|ich|mein|meine|meinen|meinem|meiner|wir|er|je|j|il|elle|on|nous|ma|mon|mes|yo|mi|mis)${E}`,
  'u',
);

/** Negation after the sign, right before the clause ends: "fever? no", "Fieber hab ich keins", "fiebre: no". */
const AFTER_NEGATION = new RegExp(
  '(?:\\s*(?:[?:=>\\-–—]+\\s*)?' +
    '(?:i (?:have|had|got) |there is |(?:is|are|was|were) |(?:habe|hab|hatte|hatten|haben) (?:ich |wir )?|(?:ist|sind|war|waren) (?:es |da )?|gibt es |' +
    "j'?\\s?en ai |je n'?\\s?en ai |il n'?\\s?y en a |y en a |(?:no )?(?:tengo|hay|tiene|tuve) )?" +
    '(?:no|nope|nah|none|nil|not|negative|neg|zero|nothing|not at all|gone|free|no way|never|' +
    'nein|nee|no|ne|nicht|keins|keines|keine|keiner|kein|keinen|nichts|null|weg|negativ|' +
    'non|pas|aucun|aucune|rien|nul|nulle|negatif|pas du tout|partie?s?|disparue?s?|' +
    'nada|ninguna|ninguno|negativo|cero|tampoco|no tengo|no hay|no tuve|para nada|0)' +
    '(?: da| vorhanden| mehr| gehabt| at all| du tout)?' +
    `(?=\\s*(?:$|[.!?,;:)\\n]|\\p{Extended_Pictographic}|${CLAUSE_WORDS_SOURCE})))` +
    // A cross, or "free" ("fever free since Tuesday"), says no whatever follows.
    '|\\s*(?:[?:=>\\-–—]+\\s*)?(?:❌|✖️?|✗|🚫|👎|[\\s-]free)',
  'uy',
);

/** Doubt after the sign: "pus? not sure", "Eiter, glaube ich" (before the comma: "Eiter glaube ich"). */
const AFTER_HEDGE = new RegExp(
  '\\s*(?:[?:=>\\-–—]+\\s*)?(?:maybe|not sure|i think|unsure|possibly|probably|i guess|perhaps|vielleicht|glaube ich|weiss nicht|keine ahnung|nicht sicher|wahrscheinlich|' +
    'peut[\\s-]?etre|je crois|je pense|je sais pas|pas sure?|probablement|quizas?|tal vez|creo|no se|no estoy segur[oa]|puede ser|a lo mejor)' +
    E,
  'uy',
);

/** Joins one sign to the next in a list: "fever or pus? no" negates both. */
const LIST_JOINER = /^\s*(?:or|nor|oder|noch|ou|ni|o|u|\/)\s*(?:any |the |de |d'|la |le |les |du |des |el |los |las )?$/u;

/** Every sign named in the text, in text order, each read as present, hedged or negated. Never throws. */
export function readSigns(text: string): SignReading[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const { folded, starts, ends } = foldWithOrigins(text);
  const quote = (span: Span) => text.slice(starts[span.start], ends[span.end - 1]);
  const mentions = signMentions(folded);
  if (!mentions.length) return [];

  const pseudo = [...spans(PSEUDO_NEGATIONS, folded), ...spans(NEGATIVE_SIGN_WORDS, folded)];
  const hedges = spans(HEDGE_CUES, folded);
  const negations = spans(NEGATION_CUES, folded).filter(
    (n) => !overlapsAny(n, pseudo) && !overlapsAny(n, hedges) && (!isNoch(folded, n) || /\bweder\b[^.!?;\n]*$/.test(folded.slice(0, n.start))),
  );
  const breaks = [
    ...spans(CLAUSE_MARKS, folded),
    ...spans(CLAUSE_WORD_PATTERN, folded).filter((b) => !overlapsAny(b, negations) && !overlapsAny(b, hedges)),
  ];
  const clauseStart = (at: number) => Math.max(0, ...breaks.filter((b) => b.end <= at).map((b) => b.end));

  const readings = mentions.map((mention) => {
    const from = clauseStart(mention.start);
    const cueBefore = (cues: Span[], window: number, check: (between: string) => boolean) =>
      cues.filter((c) => c.start >= from && c.end <= mention.start && wordCount(folded.slice(c.end, mention.start)) <= window && check(folded.slice(c.end, mention.start))).pop();
    const hedge = cueBefore(hedges, HEDGE_WINDOW, () => true) ?? stickyAt(AFTER_HEDGE, folded, mention.end);
    if (hedge) return { mention, status: 'hedged' as const, cue: hedge };
    const inside = folded.slice(mention.start, mention.end);
    const negation =
      cueBefore(negations, NEGATION_WINDOW, (between) => !SUBJECTS.test(between)) ??
      stickyAt(AFTER_NEGATION, folded, mention.end) ??
      // "Lippen sind nicht geschwollen", "redness is not spreading": a cue inside a two-part sign, if no clause ends inside it.
      (breaks.some((b) => b.start > mention.start && b.end < mention.end) || /[,;:]/.test(inside)
        ? undefined
        : negations.find((n) => n.start > mention.start && n.end < mention.end));
    return negation ? { mention, status: 'negated' as const, cue: negation } : { mention, status: 'present' as const, cue: null };
  });

  // "fever or pus? no": a negation after a list reaches back over its joiners.
  for (let i = readings.length - 2; i >= 0; i--) {
    const next = readings[i + 1];
    const here = readings[i];
    if (here.status === 'present' && next.status === 'negated' && next.cue && next.cue.start >= next.mention.end && LIST_JOINER.test(folded.slice(here.mention.end, next.mention.start))) {
      readings[i] = { ...here, status: 'negated', cue: next.cue };
    }
  }

  const seen = new Set<string>();
  const out: SignReading[] = [];
  for (const r of readings) {
    const reading: SignReading = { sign: r.mention.sign, status: r.status, words: quote(r.mention), cue: r.cue ? quote(trimmed(folded, r.cue)) : null };
    const key = JSON.stringify(reading);
    if (!seen.has(key)) out.push(reading);
    seen.add(key);
  }
  return out;
}

/** The signs that count (present or hedged), deduplicated, in WARNING_SIGNS order. */
export function signsThatCount(readings: readonly SignReading[]): WarningSign[] {
  return WARNING_SIGNS.filter((sign) => readings.some((r) => r.sign === sign && r.status !== 'negated'));
}

/** Warning signs the text says are there or may be there, in any of the four languages. */
export function warningSignsInText(text: string): WarningSign[] {
  return signsThatCount(readSigns(text));
}

function spans(pattern: RegExp, folded: string): Span[] {
  const found: Span[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(folded); m; m = pattern.exec(folded)) {
    if (m[0].length === 0) pattern.lastIndex++;
    else found.push({ start: m.index, end: m.index + m[0].length });
  }
  return found;
}

function stickyAt(pattern: RegExp, folded: string, at: number): Span | undefined {
  pattern.lastIndex = at;
  const m = pattern.exec(folded);
  return m ? { start: at, end: at + m[0].length } : undefined;
}

function overlapsAny(span: Span, others: readonly Span[]): boolean {
  return others.some((o) => o.start < span.end && span.start < o.end);
}

function wordCount(text: string): number {
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).length;
}

function isNoch(folded: string, span: Span): boolean {
  return folded.slice(span.start, span.end) === 'noch';
}

/** A cue without the spaces and marks around it ("? no" → "no"), so the quote is the words. */
function trimmed(folded: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /[\s?:=>\-–—]/u.test(folded[start])) start++;
  while (end > start && /\s/u.test(folded[end - 1])) end--;
  return start < end ? { start, end } : span;
}
