import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { foldText, foldWithOrigins, LEXICON_LANGUAGES, LexiconLanguage } from './free-text';
import { WARNING_SIGNS, WarningSign } from './questions';
import { readSigns, SignReading, signsThatCount, warningSignsInText } from './sign-reader';

interface PhraseRow {
  text: string;
  /** The signs that count (present or hedged). */
  signs: WarningSign[];
  /** Signs the patient named and the reader must read as negated (somewhere in the text). */
  negated: WarningSign[];
}

/** How patients text, per language: typos, no accents, lower case, emoji. */
const PHRASES = JSON.parse(readFileSync(join(__dirname, 'sign-reader.phrases.json'), 'utf8')) as Record<LexiconLanguage, PhraseRow[]>;

describe('sign reader: the phrase table', () => {
  it('has at least 100 phrasings in each language, each once', () => {
    for (const language of LEXICON_LANGUAGES) {
      expect(PHRASES[language].length).toBeGreaterThanOrEqual(100);
      expect(new Set(PHRASES[language].map((r) => r.text)).size).toBe(PHRASES[language].length);
    }
  });

  describe.each(LEXICON_LANGUAGES)('%s', (language) => {
    it.each(PHRASES[language].map((r) => [r.text, r] as const))('%j', (_text, row) => {
      const readings = readSigns(row.text);
      expect(warningSignsInText(row.text)).toEqual(WARNING_SIGNS.filter((s) => row.signs.includes(s)));
      for (const sign of row.negated) expect(readings).toContainEqual(expect.objectContaining({ sign, status: 'negated' }));
      // What a reading quotes is what the patient wrote.
      for (const r of readings) {
        expect(row.text).toContain(r.words);
        if (r.cue !== null) expect(row.text).toContain(r.cue);
      }
    });
  });
});

describe('sign reader: what it answers', () => {
  it('quotes the words as written, not as folded', () => {
    expect(readSigns('Kein FIEBER, aber die Lippen sind GESCHWOLLEN 😟')).toEqual([
      { sign: 'fever', status: 'negated', words: 'FIEBER', cue: 'Kein' },
      { sign: 'airway_swelling', status: 'present', words: 'Lippen sind GESCHWOLLEN', cue: null },
    ]);
    expect(readSigns('Pas de fièvre')).toEqual([{ sign: 'fever', status: 'negated', words: 'fièvre', cue: 'Pas' }]);
  });

  it('marks doubt as hedged, which counts', () => {
    const readings = readSigns('not sure if it is pus');
    expect(readings).toEqual([{ sign: 'discharge', status: 'hedged', words: 'pus', cue: 'not sure if' }]);
    expect(signsThatCount(readings)).toEqual(['discharge']);
  });

  it('never throws, and answers well-formed readings on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 })), (text) => {
        for (const r of readSigns(text)) {
          expect(WARNING_SIGNS).toContain(r.sign);
          expect(['present', 'hedged', 'negated']).toContain(r.status);
          expect(text).toContain(r.words);
        }
      }),
      { numRuns: 300 },
    );
    expect(readSigns(undefined as unknown as string)).toEqual([]);
  });

  it('folds exactly as foldText, and every folded character points back into the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        const { folded, starts, ends } = foldWithOrigins(text);
        expect(folded).toBe(foldText(text));
        expect(starts.length).toBe(folded.length);
        starts.forEach((s, i) => expect(0 <= s && s < ends[i] && ends[i] <= text.length).toBe(true));
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated sentences

/** Per language: how a sign is named, negated before, negated after, hedged, and where a clause ends. */
interface Grammar {
  signs: Array<[WarningSign, string]>;
  before: string[];
  after: string[];
  hedges: string[];
  breakers: string[];
  openers: string[];
  fillers: string[];
}

const GRAMMARS: Record<LexiconLanguage, Grammar> = {
  en: {
    signs: [['fever', 'fever'], ['fever', 'temperature'], ['fever', 'chills'], ['discharge', 'pus'], ['discharge', 'discharge'], ['spreading_redness', 'red streaks'], ['new_lump', 'lump'], ['new_lump', 'hard bumps'], ['skin_change', 'blisters'], ['airway_swelling', 'swollen lips'], ['airway_swelling', 'difficulty breathing'], ['hives', 'hives']],
    before: ['no', 'not', 'without', 'never had', "don't have", 'dont have', 'i have no', "haven't got any", 'no sign of', 'neither'],
    after: ['? no', ': no', ' - none', ' no', ' nope', ': negative', ' ❌'],
    hedges: ['i think it might be', 'not sure if', 'maybe', 'possibly', 'i think i have', 'could be', "i'm worried about", 'probably'],
    breakers: ['but', 'and', 'however', 'just', ',', '.', '!', ';', '\n', '🙂', ' - '],
    openers: ['', 'hi', 'thanks', 'ok so', 'day 3:', 'morning'],
    fillers: ['', 'really', 'any', 'real', 'at all'],
  },
  de: {
    signs: [['fever', 'Fieber'], ['fever', 'Schüttelfrost'], ['fever', 'erhöhte Temperatur'], ['discharge', 'Eiter'], ['discharge', 'Ausfluss'], ['spreading_redness', 'rote Streifen'], ['new_lump', 'Knoten'], ['new_lump', 'Verhärtung'], ['skin_change', 'Blasen'], ['airway_swelling', 'Atemnot'], ['airway_swelling', 'geschwollene Lippen'], ['hives', 'Quaddeln']],
    before: ['kein', 'keine', 'keinen', 'ohne', 'ich habe kein', 'hab keine', 'weder', 'nie'],
    after: [': nein', '? nein', ' nein', ' keins', ' habe ich nicht', ' ❌'],
    hedges: ['vielleicht', 'ich glaube', 'weiss nicht ob das', 'wahrscheinlich', 'eventuell', 'könnte', 'bin mir nicht sicher ob'],
    breakers: ['aber', 'und', 'sondern', 'nur', 'jedoch', ',', '.', '!', '\n', '🙂'],
    openers: ['', 'hallo', 'danke', 'also', 'Tag 3:'],
    fillers: ['', 'richtig', 'wirklich'],
  },
  fr: {
    signs: [['fever', 'fièvre'], ['fever', 'frissons'], ['discharge', 'pus'], ['discharge', 'écoulement'], ['spreading_redness', 'traînée rouge'], ['new_lump', 'boule'], ['new_lump', 'nodule'], ['skin_change', 'cloques'], ['airway_swelling', 'lèvres gonflées'], ['airway_swelling', 'difficulté à respirer'], ['hives', 'urticaire']],
    before: ['pas de', 'sans', "je n'ai pas de", "j'ai pas de", 'aucun', 'aucune', 'ni', "je n'ai plus de", 'jamais de'],
    after: [' : non', ' ? non', ' non', ' aucun', ' pas du tout', ' ❌'],
    hedges: ['peut-être', 'peut etre', 'je pense que c est', 'je crois', 'je sais pas si c est', 'probablement', 'on dirait'],
    breakers: ['mais', 'et', 'par contre', 'juste', 'sauf', ',', '.', '!', '\n', '🙂'],
    openers: ['', 'bonjour', 'merci', 'alors', 'jour 3 :'],
    fillers: ['', 'vraiment'],
  },
  es: {
    signs: [['fever', 'fiebre'], ['fever', 'escalofríos'], ['discharge', 'pus'], ['discharge', 'secreción'], ['spreading_redness', 'líneas rojas'], ['new_lump', 'bulto'], ['new_lump', 'bolitas'], ['skin_change', 'ampollas'], ['airway_swelling', 'labios hinchados'], ['airway_swelling', 'dificultad para respirar'], ['hives', 'ronchas']],
    before: ['sin', 'no tengo', 'no hay', 'no', 'nada de', 'ninguna', 'ni', 'nunca tuve', 'tampoco'],
    after: [': no', '? no', ' no', ' nada', ' tampoco', ' ❌'],
    hedges: ['quizás', 'quizas', 'tal vez', 'creo que tengo', 'no sé si es', 'a lo mejor', 'puede que sea', 'probablemente'],
    breakers: ['pero', 'y', 'sino', 'aunque', 'solo', ',', '.', '!', '\n', '🙂'],
    openers: ['', 'hola', 'gracias', 'bueno', 'día 3:'],
    fillers: ['', 'mucha'],
  },
};

/** Patients' spelling: as written, all lower case, or without accents. */
function spelled(text: string, how: 'as' | 'lower' | 'upper' | 'plain'): string {
  if (how === 'lower') return text.toLowerCase();
  if (how === 'upper') return text.toUpperCase();
  if (how === 'plain') return text.normalize('NFD').replace(/\p{M}/gu, '');
  return text;
}
const spelling = fc.constantFrom<'as' | 'lower' | 'upper' | 'plain'>('as', 'lower', 'upper', 'plain');

function sentence(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' ');
}

function counts(text: string, sign: WarningSign): boolean {
  return warningSignsInText(text).includes(sign);
}

describe.each(LEXICON_LANGUAGES)('sign reader properties (%s)', (language) => {
  const g = GRAMMARS[language];
  const sign = fc.constantFrom(...g.signs);
  const NUM_RUNS = 300;

  it('a sign under a negation cue, with no clause break, never counts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...g.openers), fc.constantFrom(...g.before), fc.constantFrom(...g.fillers), sign, spelling, (opener, cue, filler, [s, words], how) => {
        const text = spelled(sentence(opener, cue, filler, words), how);
        expect(readings(text, s)).toEqual(['negated']);
        expect(counts(text, s)).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a sign followed by a negation that ends the clause never counts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...g.openers), sign, fc.constantFrom(...g.after), spelling, (opener, [s, words], cue, how) => {
        const text = spelled(sentence(opener, words) + cue, how);
        expect(counts(text, s)).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the same sign after a clause break always counts, whatever was negated before', () => {
    fc.assert(
      fc.property(fc.constantFrom(...g.before), sign, fc.constantFrom(...g.breakers), sign, spelling, (cue, [, negatedWords], breaker, [s, words], how) => {
        const text = spelled(`${sentence(cue, negatedWords)}${/^[\p{L}]/u.test(breaker) ? ` ${breaker} ` : `${breaker} `}${words}`, how);
        expect(counts(text, s)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a hedged sign always counts, even after a negated one and even when the hedge holds a "not"', () => {
    fc.assert(
      fc.property(fc.option(fc.tuple(fc.constantFrom(...g.before), sign), { nil: undefined }), fc.constantFrom(...g.hedges), sign, spelling, (negatedFirst, hedge, [s, words], how) => {
        const start = negatedFirst ? sentence(negatedFirst[0], negatedFirst[1][1]) : '';
        const text = spelled(sentence(start, hedge, words), how);
        expect(counts(text, s)).toBe(true);
        expect(readings(text, s)).toContain('hedged');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a sign named plainly counts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...g.openers), sign, spelling, (opener, [s, words], how) => {
        expect(counts(spelled(sentence(opener, words), how), s)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

function readings(text: string, sign: WarningSign): SignReading['status'][] {
  return readSigns(text)
    .filter((r) => r.sign === sign)
    .map((r) => r.status);
}
