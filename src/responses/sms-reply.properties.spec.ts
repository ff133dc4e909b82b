import fc from 'fast-check';
import { LEXICON_LANGUAGES } from '../protocols/free-text';
import { SYMPTOMS, WARNING_SIGNS } from '../protocols/questions';
import { readSigns } from '../protocols/sign-reader';
import { WARNING_SIGN_WORDS } from '../protocols/warning-signs';
import { LEVEL_WORDS, SYMPTOM_WORDS } from './reply-words';
import { combineReplies, isStopRequest, isWholeAnswer, parseSmsReply, ParsedReply } from './sms-reply.parser';

/** Property-based tests (fast-check): the parser's promises over inputs no one wrote by hand. */

/** Whatever came in, a reply is one of the four kinds and never holds a score outside 0–4. */
function expectWellFormed(parsed: ParsedReply): void {
  expect(['keyword', 'scores', 'partial', 'unreadable']).toContain(parsed.kind);
  if (parsed.kind === 'keyword') return;
  expect(parsed.warningSigns.every((s) => (WARNING_SIGNS as readonly string[]).includes(s))).toBe(true);
  if (parsed.kind === 'scores' || parsed.kind === 'partial') {
    expect(Object.values(parsed.scores).every((v) => Number.isInteger(v) && v >= 0 && v <= 4)).toBe(true);
  }
  if (parsed.kind === 'partial') {
    // Scored and missing together are the five symptoms, each once.
    expect([...Object.keys(parsed.scores), ...parsed.missing].sort()).toEqual([...SYMPTOMS].sort());
    expect(parsed.missing.length).toBeGreaterThan(0);
  }
}

/** Text made of the parser's own vocabulary, digits and separators: reaches far more of it than random code points. */
const replyLike = fc
  .array(
    fc.oneof(
      fc.constantFrom(...SYMPTOMS.flatMap((s) => Object.values(SYMPTOM_WORDS[s]).flat())),
      fc.constantFrom(...Object.values(LEVEL_WORDS).flatMap((byLevel) => Object.values(byLevel).flat())),
      fc.constantFrom('rest', 'fine', 'others', 'lo demás', 'Rest', 'le reste', 'nothing else', 'very', 'not', 'b', 'bu', 'i', 'p', 'r', 'stop', 'please', 'fever'),
      fc.integer({ min: 0, max: 12 }).map(String),
      fc.constantFrom(' ', ',', ', ', '.', ':', '=', '-', '\n', '/', '!', "'", '🙂', '\u0000', '\ud800'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(' '));

describe('SMS reply parser properties', () => {
  it('never throws, and always answers a well-formed reply, on any string of code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expectWellFormed(parseSmsReply(text));
        expect(typeof isStopRequest(text)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on graphemes (accents, emoji, other scripts) or raw UTF-16 with lone surrogates', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 })), (text) => {
        expectWellFormed(parseSmsReply(text));
        isStopRequest(text);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on text made of its own words, numbers and separators, alone or combined', () => {
    fc.assert(
      fc.property(fc.array(replyLike, { minLength: 1, maxLength: 4 }), (texts) => {
        for (const text of texts) expectWellFormed(parseSmsReply(text));
        const combined = combineReplies(texts);
        expectWellFormed(combined);
        expect(combined.kind).not.toBe('keyword');
      }),
      { numRuns: 1000 },
    );
  });

  it('a whole answer stands alone: read after any earlier texts it scores what it scores by itself (the reply path skips reading them)', () => {
    const whole = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }).map((d) => d.join(' ')),
      fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }), replyLike).map(([d, tail]) => `${d.join(',')} ${tail}`),
      fc.constantFrom('0', 'b1 r0 i2 bu0 p1', 'bruising 2, redness 1, itching 0, burning 0, pain 1', 'none'),
      replyLike,
    );
    fc.assert(
      fc.property(fc.array(replyLike, { maxLength: 3 }), whole, (earlier, text) => {
        if (!isWholeAnswer(text)) return;
        const alone = parseSmsReply(text);
        const combined = combineReplies([...earlier, text]);
        expect(alone.kind).toBe('scores');
        expect(combined.kind).toBe('scores');
        if (alone.kind === 'scores' && combined.kind === 'scores') expect(combined.scores).toEqual(alone.scores);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads every well-formed numeric reply (five digits 0-4, spaces and commas in any mix) as exactly its numbers', () => {
    const separator = fc.array(fc.constantFrom(' ', ','), { minLength: 1, maxLength: 3 }).map((s) => s.join(''));
    const padding = fc.constantFrom('', ' ', '  ', '\t', '\n');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }),
        fc.array(separator, { minLength: 4, maxLength: 4 }),
        padding,
        padding,
        (digits, separators, before, after) => {
          const text = before + digits.map((d, i) => (i === 0 ? `${d}` : `${separators[i - 1]}${d}`)).join('') + after;
          expect(parseSmsReply(text)).toEqual({
            kind: 'scores',
            scores: Object.fromEntries(SYMPTOMS.map((s, i) => [s, digits[i]])),
            warningSigns: [],
            signReadings: [],
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds the warning sign of any listed word, in any of the four languages, inside random text', () => {
    const entries = WARNING_SIGNS.flatMap((sign) => LEXICON_LANGUAGES.flatMap((language) => WARNING_SIGN_WORDS[sign][language].map((word) => ({ sign, language, word }))));
    const letters = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèàüöäßñçÉÜ', ' ', ' ', ' ');
    const surrounding = fc.string({ unit: letters, maxLength: 40 });
    fc.assert(
      fc.property(fc.constantFrom(...entries), surrounding, surrounding, fc.constantFrom('as written', 'capitals', 'no accents'), ({ sign, word }, before, after, spelling) => {
        const written = spelling === 'capitals' ? word.toUpperCase() : spelling === 'no accents' ? word.normalize('NFD').replace(/\p{M}/gu, '') : word;
        const text = `${before} ${written} ${after}`;
        // Named, whatever the words around it make of it (negated, hedged or present: sign-reader.properties.spec.ts).
        expect(readSigns(text).map((r) => r.sign)).toContain(sign);
        const parsed = parseSmsReply(text);
        expect(parsed.kind).not.toBe('keyword');
        if (parsed.kind !== 'keyword') expect(parsed.signReadings.map((r) => r.sign)).toContain(sign);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads any symptom word next to any level word, either way round, as that score', () => {
    const symptomWords = SYMPTOMS.flatMap((symptom) => Object.values(SYMPTOM_WORDS[symptom]).flat().map((word) => ({ symptom, word })));
    const levelWords = LEXICON_LANGUAGES.flatMap((language) => ([0, 1, 2, 3, 4] as const).flatMap((level) => LEVEL_WORDS[language][level].map((word) => ({ level, word }))));
    fc.assert(
      fc.property(fc.constantFrom(...symptomWords), fc.constantFrom(...levelWords), fc.boolean(), ({ symptom, word }, level, levelFirst) => {
        const text = levelFirst ? `${level.word} ${word}` : `${word} ${level.word}`;
        const parsed = parseSmsReply(text);
        expect({ text, parsed }).toMatchObject({ text, parsed: { kind: 'partial', scores: { [symptom]: level.level } } });
      }),
      { numRuns: 2000 },
    );
  });
});
