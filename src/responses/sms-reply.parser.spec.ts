import { SYMPTOMS, SymptomScores } from '../protocols/questions';
import { parseSmsReply } from './sms-reply.parser';

const ONE_ZERO_TWO_ZERO_ONE: SymptomScores = { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 1 };
const ALL_ZERO: SymptomScores = { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 0 };

/** mulberry32: tiny seeded PRNG so the fuzz loop is repeatable. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseSmsReply', () => {
  describe('unlabelled scores (bruising, redness, itching, burning, pain)', () => {
    it.each(['1 0 2 0 1', '1,0,2,0,1', '1, 0, 2, 0, 1', '10201', '  1 0 2 0 1  ', '1  0\t2 0 1', '1;0;2;0;1', '1/0/2/0/1', '1-0-2-0-1'])(
      'reads %j',
      (text) => {
        expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [], signReadings: [] });
      },
    );

    it('maps positions to symptoms in questionnaire order', () => {
      expect(parseSmsReply('4 3 2 1 0')).toEqual({
        kind: 'scores',
        scores: { bruising: 4, redness: 3, itching: 2, burning: 1, pain: 0 },
        warningSigns: [],
        signReadings: [],
      });
      expect(parseSmsReply('01234')).toMatchObject({ scores: { bruising: 0, redness: 1, itching: 2, burning: 3, pain: 4 } });
    });

    it.each(['5 0 0 0 0', '0 0 0 0 9', '1 2 3', '1 2 3 4', '1 0 2 0 1 2', '1020', '102010', '10501', '1 0 2 0 15', '1.5 0 0 0 0', '-1 0 0 0 0', '1 0 2 0 1feel ok'])(
      'refuses %j',
      (text) => {
        expect(parseSmsReply(text)).toEqual({ kind: 'unreadable', warningSigns: [], signReadings: [] });
      },
    );
  });

  describe('labelled scores', () => {
    it.each([
      'b1 r0 i2 bu0 p1',
      'B1 R0 I2 BU0 P1',
      'p1 bu0 i2 r0 b1',
      'bruising 1 redness 0 itching 2 burning 0 pain 1',
      'Bruising 1, Redness 0, Itching 2, Burning 0, Pain 1',
      'pain 1 itching 2 bruising 1 burning 0 redness 0',
      'b=1 r=0 i=2 bu=0 p=1',
      'b = 1, r = 0, i = 2, bu = 0, p = 1',
      'bruise:1 red:0 itch:2 burn:0 pain:1',
      'bruise 1 red 0 itch 2 burn 0 p 1',
    ])('reads %j', (text) => {
      expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [], signReadings: [] });
    });

    it.each([
      ['score above 4', 'b1 r0 i2 bu0 p7'],
      ['same symptom twice, different scores', 'b1 r0 i2 bu0 p1 p3'],
      ['unknown label with a number', 'b1 r0 i2 x0 p1'],
    ])('refuses %s (%j)', (_why, text) => {
      expect(parseSmsReply(text).kind).toBe('unreadable');
    });

    it.each([
      ['missing one', 'b1 r0 i2 bu0', { bruising: 1, redness: 0, itching: 2, burning: 0 }, ['pain']],
      ['label with no score', 'b1 r0 i2 bu p1', { bruising: 1, redness: 0, itching: 2, pain: 1 }, ['burning']],
      ['two of five', 'p=2, r: 1', { redness: 1, pain: 2 }, ['bruising', 'itching', 'burning']],
    ])('reads %s (%j) as a partial answer', (_why, text, scores, missing) => {
      expect(parseSmsReply(text)).toEqual({ kind: 'partial', scores, missing, warningSigns: [], signReadings: [] });
    });

    it('accepts the same symptom repeated with the same score', () => {
      expect(parseSmsReply('b1 r0 i2 bu0 p1 b1')).toMatchObject({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE });
    });
  });

  describe('all clear', () => {
    it.each(['0', ' 0 ', '0.', 'none', 'None', 'NONE!', 'no symptoms', 'No symptoms.', 'all fine', 'All good :)', 'all  good'])(
      '%j means all five are 0',
      (text) => {
        expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: ALL_ZERO, warningSigns: [], signReadings: [] });
      },
    );

    it('only as the whole message, so a qualified all-clear goes to a person', () => {
      expect(parseSmsReply('no symptoms except pain').kind).toBe('unreadable');
      expect(parseSmsReply('0 but my lip is sore').kind).toBe('unreadable');
    });
  });

  describe('consent keywords', () => {
    it.each([
      ['STOP', 'stop'],
      ['stop', 'stop'],
      ['Stop.', 'stop'],
      ['  stop!!  ', 'stop'],
      ['STOPALL', 'stop'],
      ['STOP ALL', 'stop'],
      ['stop   all', 'stop'],
      ['UNSUBSCRIBE', 'stop'],
      ['unsubscribe', 'stop'],
      ['CANCEL', 'stop'],
      ['End', 'stop'],
      ['QUIT', 'stop'],
      ['revoke', 'stop'],
      ['OPTOUT', 'stop'],
      ['"optout"', 'stop'],
      ['START', 'start'],
      ['start', 'start'],
      ['UNSTOP', 'start'],
      ['Yes!', 'start'],
      ['yes', 'start'],
      ['HELP', 'help'],
      ['help?', 'help'],
      ['INFO', 'help'],
      ['info', 'help'],
    ])('%j → %s', (text, keyword) => {
      expect(parseSmsReply(text)).toEqual({ kind: 'keyword', keyword });
    });

    it.each(['please stop texting me', 'stop it', 'yes I am fine', 'help me', 'stopped', 'the end', 'opt out please'])(
      '%j is not a keyword (only the whole message counts)',
      (text) => {
        expect(parseSmsReply(text).kind).toBe('unreadable');
      },
    );
  });

  describe('free text', () => {
    it('keeps scores followed by free text', () => {
      expect(parseSmsReply('1 0 2 0 1 feel ok')).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [], signReadings: [] });
      expect(parseSmsReply('1,0,2,0,1. Feel ok, a bit sore since day 3')).toMatchObject({
        kind: 'scores',
        scores: ONE_ZERO_TWO_ZERO_ONE,
      });
      expect(parseSmsReply('b1 r0 i2 bu0 p1 I feel fine')).toMatchObject({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE });
    });

    it('detects warning signs after scores', () => {
      expect(parseSmsReply('0 0 0 0 0 I have a fever')).toEqual({
        kind: 'scores',
        scores: ALL_ZERO,
        warningSigns: ['fever'],
        signReadings: [{ sign: 'fever', status: 'present', words: 'fever', cue: null }],
      });
      expect(parseSmsReply('1 0 2 0 1 lips swelling and hard to breathe')).toMatchObject({
        kind: 'scores',
        scores: ONE_ZERO_TWO_ZERO_ONE,
        warningSigns: ['airway_swelling'],
      });
    });

    it('detects warning signs in an unreadable reply', () => {
      expect(parseSmsReply('my redness is spreading and there is pus')).toMatchObject({
        kind: 'unreadable',
        warningSigns: ['discharge', 'spreading_redness'],
      });
    });

    it('a keyword message carries no warning signs', () => {
      expect(parseSmsReply('STOP')).toEqual({ kind: 'keyword', keyword: 'stop' });
    });
  });

  it.each(['', '   ', '\n\t', '?!', '🙂'])('%j is unreadable', (text) => {
    expect(parseSmsReply(text)).toEqual({ kind: 'unreadable', warningSigns: [], signReadings: [] });
  });

  it('never throws on random strings', () => {
    const random = seededRandom(20260320);
    const alphabet = [
      ...'0123456789 ,;:=/-.!?\t\n',
      ...'abcdefghijklmnopqrstuvwxyzBRIPU',
      'bu',
      'stop',
      'fever',
      'red',
      'spreading',
      '\u2019',
      '🙂',
      '\u0000',
      '\ud800', // lone surrogate
      'ü',
    ];
    const kinds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(random() * 40);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      let result: ReturnType<typeof parseSmsReply> | undefined;
      expect(() => (result = parseSmsReply(text))).not.toThrow();
      expect(['keyword', 'scores', 'partial', 'unreadable']).toContain(result!.kind);
      if (result!.kind === 'scores' || result!.kind === 'partial') {
        expect(Object.values(result!.scores).every((v) => Number.isInteger(v) && v >= 0 && v <= 4)).toBe(true);
      }
      kinds.add(result!.kind);
    }
    expect(kinds.has('unreadable')).toBe(true);
  });

  it('never throws on very long input or a non-string slipped in at runtime', () => {
    expect(parseSmsReply('1 '.repeat(50_000)).kind).toBe('unreadable');
    expect(parseSmsReply('b1 '.repeat(20_000))).toMatchObject({ kind: 'partial', scores: { bruising: 1 } });
    expect(parseSmsReply('bruising bad rest fine '.repeat(5_000)).kind).toBe('scores');
    expect(parseSmsReply(undefined as unknown as string)).toEqual({ kind: 'unreadable', warningSigns: [], signReadings: [] });
    expect(parseSmsReply(42 as unknown as string)).toEqual({ kind: 'unreadable', warningSigns: [], signReadings: [] });
  });
});


describe('parseSmsReply: words for symptoms and levels', () => {
  const ZERO_REST = { redness: 0, itching: 0, burning: 0, pain: 0 };

  it.each([
    ['bruising bad, rest fine', { bruising: 3, ...ZERO_REST }],
    ['Bruising bad. Rest none', { bruising: 3, ...ZERO_REST }],
    ['bruising a little, others 0', { bruising: 1, ...ZERO_REST }],
    ['mild bruising, everything else is fine', { bruising: 1, ...ZERO_REST }],
    ['bruising very bad, the rest are ok', { bruising: 4, ...ZERO_REST }],
    ['no pain, slight redness, bruising moderate, itching none, burning terrible', { bruising: 2, redness: 1, itching: 0, burning: 4, pain: 0 }],
    ['Bruising: severe; redness: mild; itching: no; burning: no; pain: a bit', { bruising: 3, redness: 1, itching: 0, burning: 0, pain: 1 }],
    ['bruising bad since day 3, rest fine', { bruising: 3, ...ZERO_REST }],
    ['a bit sore and a little itchy, nothing else', { bruising: 0, redness: 0, itching: 1, burning: 0, pain: 1 }],
    ['all good except bruising which is mild', { bruising: 1, ...ZERO_REST }],
    ['pain 2, rest fine', { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 2 }],
    // German
    ['Bluterguss leicht, Rötung keine, Juckreiz keine, Brennen keins, Schmerzen stark', { bruising: 1, redness: 0, itching: 0, burning: 0, pain: 3 }],
    ['Roetung mittel, sonst alles gut', { bruising: 0, redness: 2, itching: 0, burning: 0, pain: 0 }],
    ['leichter Bluterguss, Rest gut', { bruising: 1, ...ZERO_REST }],
    ['Schmerzen sehr stark, sonst nichts', { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 4 }],
    // French
    ['bleus modéré, le reste bien', { bruising: 2, ...ZERO_REST }],
    ["un peu de rougeur et des bleus modérés, rien d'autre", { bruising: 2, redness: 1, itching: 0, burning: 0, pain: 0 }],
    ['Douleur très forte, les autres aucun', { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 4 }],
    // Spanish
    ['moretón fuerte, lo demás bien', { bruising: 3, ...ZERO_REST }],
    ['moreton fuerte, lo demas bien', { bruising: 3, ...ZERO_REST }],
    ['mucho dolor, moretón leve, lo demás nada', { bruising: 1, redness: 0, itching: 0, burning: 0, pain: 3 }],
    ['sin ardor, picor un poco, el resto bien', { bruising: 0, redness: 0, itching: 1, burning: 0, pain: 0 }],
  ])('%j', (text, scores) => {
    expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores, warningSigns: [], signReadings: [] });
  });

  it.each([
    ['0', 'keine', 'Keine Beschwerden', 'alles gut', 'rien', 'Tout va bien', 'nada', 'todo bien', 'sin síntomas'],
  ].flat())('%j alone means all five are 0', (text) => {
    expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 0 }, warningSigns: [], signReadings: [] });
  });

  it.each([
    ['Bluterguss leicht, Rötung keine', { bruising: 1, redness: 0 }],
    ['bleus modéré', { bruising: 2 }],
    ['itching 1 burning 0 pain 2', { itching: 1, burning: 0, pain: 2 }],
    ['I have mild bruising and a bit of redness', { bruising: 1, redness: 1 }],
    ['bruising very bad', { bruising: 4 }],
    ['very mild redness', { redness: 1 }],
    ["j'ai un peu mal", { pain: 1 }],
    ['me duele mucho', { pain: 3 }],
    ['tut ein bisschen weh', { pain: 1 }],
    ['Juckreiz 1, Brennen 0', { itching: 1, burning: 0 }],
    ['pain is fine', { pain: 0 }],
    ['bruising bad and redness', { bruising: 3 }],
  ])('%j is a partial answer', (text, scores) => {
    const parsed = parseSmsReply(text);
    expect(parsed).toEqual({ kind: 'partial', scores, missing: SYMPTOMS.filter((s) => !(s in scores)), warningSigns: [], signReadings: [] });
  });

  it('keeps the symptoms named without a level missing, even after "rest fine"', () => {
    expect(parseSmsReply('bruising and redness, rest fine')).toEqual({
      kind: 'partial',
      scores: { itching: 0, burning: 0, pain: 0 },
      missing: ['bruising', 'redness'],
      warningSigns: [],
      signReadings: [],
    });
  });

  it('does not guess at a negated level: "not severe" leaves the symptom missing', () => {
    expect(parseSmsReply('pain not severe, bruising mild')).toMatchObject({ kind: 'partial', scores: { bruising: 1 }, missing: ['redness', 'itching', 'burning', 'pain'] });
    // …but the everyday ones are read.
    expect(parseSmsReply('pain not bad')).toMatchObject({ kind: 'partial', scores: { pain: 1 } });
    expect(parseSmsReply('Schmerzen gar nicht')).toMatchObject({ kind: 'partial', scores: { pain: 0 } });
  });

  it('reads "fine" and "gut" as none only after the symptom', () => {
    expect(parseSmsReply('gut pain bad')).toMatchObject({ kind: 'partial', scores: { pain: 3 } });
    expect(parseSmsReply('fine bruising')).toEqual({ kind: 'unreadable', warningSigns: [], signReadings: [] });
  });

  it.each([
    ['a number it cannot place', 'bruising bad, 3 rest fine'],
    ['a number out of range', 'pain 7, rest fine'],
    ['pain out of ten', 'pain 8/10'],
    ['the same symptom with two levels', 'bruising bad, bruising mild'],
    ['two different "rest" levels', 'bruising bad, rest fine, others bad'],
    ['no symptom named', 'I feel fine thanks'],
    ['symptoms named without levels', 'bruising and redness'],
    ['"no symptoms except pain"', 'no symptoms except pain'],
    ['"pas mal" (French for "quite a lot")', 'pas mal de bleus'],
  ])('goes to a person for %s (%j)', (_why, text) => {
    expect(parseSmsReply(text).kind).toBe('unreadable');
  });

  it('still detects warning signs in a word reply', () => {
    expect(parseSmsReply('bruising bad, rest fine, a bit of fever')).toMatchObject({
      kind: 'scores',
      scores: { bruising: 3, redness: 0, itching: 0, burning: 0, pain: 0 },
      warningSigns: ['fever'],
    });
    expect(parseSmsReply('Bluterguss leicht, Eiter an der Einstichstelle')).toMatchObject({ kind: 'partial', warningSigns: ['discharge'] });
  });
});
