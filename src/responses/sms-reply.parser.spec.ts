import { SymptomScores, WARNING_SIGNS } from '../protocols/questions';
import { parseSmsReply, warningSignsInText } from './sms-reply.parser';

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
        expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [] });
      },
    );

    it('maps positions to symptoms in questionnaire order', () => {
      expect(parseSmsReply('4 3 2 1 0')).toEqual({
        kind: 'scores',
        scores: { bruising: 4, redness: 3, itching: 2, burning: 1, pain: 0 },
        warningSigns: [],
      });
      expect(parseSmsReply('01234')).toMatchObject({ scores: { bruising: 0, redness: 1, itching: 2, burning: 3, pain: 4 } });
    });

    it.each(['5 0 0 0 0', '0 0 0 0 9', '1 2 3', '1 2 3 4', '1 0 2 0 1 2', '1020', '102010', '10501', '1 0 2 0 15', '1.5 0 0 0 0', '-1 0 0 0 0', '1 0 2 0 1feel ok'])(
      'refuses %j',
      (text) => {
        expect(parseSmsReply(text)).toEqual({ kind: 'unreadable', warningSigns: [] });
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
      expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [] });
    });

    it.each([
      ['missing one', 'b1 r0 i2 bu0'],
      ['score above 4', 'b1 r0 i2 bu0 p7'],
      ['same symptom twice, different scores', 'b1 r0 i2 bu0 p1 p3'],
      ['unknown label', 'b1 r0 i2 x0 p1'],
      ['label with no score', 'b1 r0 i2 bu p1'],
    ])('refuses %s (%j)', (_why, text) => {
      expect(parseSmsReply(text).kind).toBe('unreadable');
    });

    it('accepts the same symptom repeated with the same score', () => {
      expect(parseSmsReply('b1 r0 i2 bu0 p1 b1')).toMatchObject({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE });
    });
  });

  describe('all clear', () => {
    it.each(['0', ' 0 ', '0.', 'none', 'None', 'NONE!', 'no symptoms', 'No symptoms.', 'all fine', 'All good :)', 'all  good'])(
      '%j means all five are 0',
      (text) => {
        expect(parseSmsReply(text)).toEqual({ kind: 'scores', scores: ALL_ZERO, warningSigns: [] });
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
      expect(parseSmsReply('1 0 2 0 1 feel ok')).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [] });
      expect(parseSmsReply('1,0,2,0,1. Feel ok, a bit sore since day 3')).toMatchObject({
        kind: 'scores',
        scores: ONE_ZERO_TWO_ZERO_ONE,
      });
      expect(parseSmsReply('b1 r0 i2 bu0 p1 I feel fine')).toMatchObject({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE });
    });

    it('detects warning signs after scores', () => {
      expect(parseSmsReply('0 0 0 0 0 I have a fever')).toEqual({ kind: 'scores', scores: ALL_ZERO, warningSigns: ['fever'] });
      expect(parseSmsReply('1 0 2 0 1 lips swelling and hard to breathe')).toEqual({
        kind: 'scores',
        scores: ONE_ZERO_TWO_ZERO_ONE,
        warningSigns: ['airway_swelling'],
      });
    });

    it('detects warning signs in an unreadable reply', () => {
      expect(parseSmsReply('my redness is spreading and there is pus')).toEqual({
        kind: 'unreadable',
        warningSigns: ['discharge', 'spreading_redness'],
      });
    });

    it('a keyword message carries no warning signs', () => {
      expect(parseSmsReply('STOP')).toEqual({ kind: 'keyword', keyword: 'stop' });
    });
  });

  it.each(['', '   ', '\n\t', '?!', '🙂'])('%j is unreadable', (text) => {
    expect(parseSmsReply(text)).toEqual({ kind: 'unreadable', warningSigns: [] });
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
      expect(['keyword', 'scores', 'unreadable']).toContain(result!.kind);
      if (result!.kind === 'scores') {
        expect(Object.values(result!.scores).every((v) => Number.isInteger(v) && v >= 0 && v <= 4)).toBe(true);
      }
      kinds.add(result!.kind);
    }
    expect(kinds.has('unreadable')).toBe(true);
  });

  it('never throws on very long input or a non-string slipped in at runtime', () => {
    expect(parseSmsReply('1 '.repeat(50_000)).kind).toBe('unreadable');
    expect(parseSmsReply('b1 '.repeat(20_000)).kind).toBe('unreadable');
    expect(parseSmsReply(undefined as unknown as string)).toEqual({ kind: 'unreadable', warningSigns: [] });
    expect(parseSmsReply(42 as unknown as string)).toEqual({ kind: 'unreadable', warningSigns: [] });
  });
});

describe('warningSignsInText', () => {
  it.each([
    ['I have a fever', 'fever'],
    ['feeling feverish', 'fever'],
    ['I fevered all night', 'fever'],
    ['high temperature today', 'fever'],
    ['got the chills', 'fever'],
    ['there is pus', 'discharge'],
    ['some discharge from a puncture', 'discharge'],
    ['it is oozing', 'discharge'],
    ['leaking fluid from the spot', 'discharge'],
    ['my redness is spreading', 'spreading_redness'],
    ['the red area is getting bigger', 'spreading_redness'],
    ['there is a red streak up my cheek', 'spreading_redness'],
    ['warm and spreading', 'spreading_redness'],
    ['a lump under the skin', 'new_lump'],
    ['small nodule', 'new_lump'],
    ['a hard bump near the lip', 'new_lump'],
    ['blisters on my lip', 'skin_change'],
    ['a blister', 'skin_change'],
    ['dark skin patch', 'skin_change'],
    ['grey skin', 'skin_change'],
    ['gray skin', 'skin_change'],
    ['white skin around it', 'skin_change'],
    ['black skin', 'skin_change'],
    ['doctor said necrosis', 'skin_change'],
    ['skin is turning grey', 'skin_change'],
    ['swelling of my face', 'airway_swelling'],
    ['swelling of the lips', 'airway_swelling'],
    ['swelling of tongue', 'airway_swelling'],
    ['swelling in my throat', 'airway_swelling'],
    ['swollen lips', 'airway_swelling'],
    ['swollen face', 'airway_swelling'],
    ['swollen throat', 'airway_swelling'],
    ['swollen tongue', 'airway_swelling'],
    ['lips swelling and hard to breathe', 'airway_swelling'],
    ["can't breathe", 'airway_swelling'],
    ['I can\u2019t breathe properly', 'airway_swelling'],
    ['cannot breathe', 'airway_swelling'],
    ['difficulty breathing', 'airway_swelling'],
    ['short of breath', 'airway_swelling'],
    ['trouble breathing at night', 'airway_swelling'],
    ['I have hives', 'hives'],
    ['welts on my arm', 'hives'],
    ['urticaria', 'hives'],
  ])('%j → %s', (text, sign) => {
    expect(warningSignsInText(text)).toEqual([sign]);
  });

  it('is case-insensitive', () => {
    expect(warningSignsInText('FEVER AND PUS')).toEqual(['fever', 'discharge']);
  });

  it('deduplicates and keeps WARNING_SIGNS order regardless of mention order', () => {
    expect(warningSignsInText('hives, fever, more hives, a fever again, feverish')).toEqual(['fever', 'hives']);
    expect(warningSignsInText('hives and a lump and pus and chills')).toEqual(['fever', 'discharge', 'new_lump', 'hives']);
  });

  it('can find every warning sign in one message, in WARNING_SIGNS order', () => {
    const all = 'hives; cannot breathe; blisters; a lump; red streak; pus; fever';
    expect(warningSignsInText(all)).toEqual([...WARNING_SIGNS]);
  });

  it.each([
    'I walked across campus',
    'pushing through',
    'looking through the archives',
    'plump lips, very happy',
    'the bored redeeming reader',
    'welterweight boxing',
    'endless gratitude',
    'my lips look great',
    'the bruise is spreading a bit',
    'blue sky, feel fine',
    '',
  ])('does not fire on %j', (text) => {
    expect(warningSignsInText(text)).toEqual([]);
  });

  it('does not handle negations: a mention counts (deliberately over-flags)', () => {
    expect(warningSignsInText('no fever, no pus')).toEqual(['fever', 'discharge']);
  });
});
