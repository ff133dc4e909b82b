/**
 * How patients' free text is compared with word lists in four languages: letter case, accents,
 * curly apostrophes and spacing are folded away first, so "Rötung", "ROETUNG" and "rotung",
 * or "envíen" and "envien", read alike. Pure functions; the SMS parser and the warning-sign
 * words both use them.
 */

/** The languages the word lists cover (the same four patients read their messages in). */
export const LEXICON_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type LexiconLanguage = (typeof LEXICON_LANGUAGES)[number];

/**
 * Lower case, accents gone (é → e, ñ → n, ö → o), ß → ss, œ → oe, curly apostrophes straight,
 * runs of spaces and tabs one space (line breaks kept: they end a clause).
 */
export function foldText(text: string): string {
  return foldWithOrigins(text).folded;
}

/**
 * foldText, and for each character of the folded text where it came from in the original
 * (`starts[i]`–`ends[i]`), so a reader of folded text can quote the patient's own words.
 */
export function foldWithOrigins(text: string): { folded: string; starts: number[]; ends: number[] } {
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const char of text) {
    const from = at;
    at += char.length;
    let out: string;
    if (char === '\r') out = '\n';
    else if (char === '\n' && text[from - 1] === '\r') out = '';
    else out = foldChar(char);
    if (/^[^\S\n]+$/.test(out)) out = folded.endsWith(' ') ? '' : ' ';
    folded += out;
    for (let k = 0; k < out.length; k++) {
      starts.push(from);
      ends.push(at);
    }
  }
  return { folded, starts, ends };
}

function foldChar(char: string): string {
  return char
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'");
}

/**
 * The folded spellings of a word-list phrase: "Rötung" → ["rotung", "roetung"], since people
 * without an umlaut key write either.
 */
export function phraseVariants(phrase: string): string[] {
  const lower = phrase.toLowerCase();
  const spelledOut = lower.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue');
  return [...new Set([foldText(lower), foldText(spelledOut)])];
}

/** Letters and digits: what must not touch a phrase on either side for it to count as whole words. */
const WORD_CHAR = '[\\p{L}\\p{N}]';

/**
 * One regular expression (flag u) that finds any of the phrases as whole words in folded text.
 * A space in a phrase matches any spacing or a hyphen; an apostrophe may be left out.
 */
export function phrasesPattern(phrases: readonly string[]): RegExp {
  const alternatives = [...new Set(phrases.flatMap(phraseVariants))]
    .sort((a, b) => b.length - a.length)
    .map((p) =>
      p
        .split('')
        .map((char) => (char === ' ' ? '[\\s-]+' : char === "'" ? "'?\\s?" : escapeRegExp(char)))
        .join(''),
    );
  if (!alternatives.length) return /(?!)/u;
  return new RegExp(`(?<!${WORD_CHAR})(?:${alternatives.join('|')})(?!${WORD_CHAR})`, 'u');
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}
