import { SymptomScores, WARNING_SIGNS } from '../protocols/questions';
import { combineReplies, isStopRequest, parseSmsReply, warningSignsInText } from './sms-reply.parser';

/** What else a reply's text says: warning signs in words, a request to stop in words, and partial replies combined. (Scores: sms-reply.parser.spec.ts.) */

const ONE_ZERO_TWO_ZERO_ONE: SymptomScores = { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 1 };

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

  it('reads negations: a negated sign does not count, but is kept in the readings', () => {
    expect(warningSignsInText('no fever, no pus')).toEqual([]);
    const parsed = parseSmsReply('1 0 1 0 0 no fever but my lips are swelling');
    expect(parsed).toMatchObject({ kind: 'scores', warningSigns: ['airway_swelling'] });
    expect(parsed.kind !== 'keyword' && parsed.signReadings).toEqual([
      { sign: 'fever', status: 'negated', words: 'fever', cue: 'no' },
      { sign: 'airway_swelling', status: 'present', words: 'lips are swelling', cue: null },
    ]);
  });
});


describe('combineReplies', () => {
  it('joins a partial answer and the missing scores into one answer', () => {
    expect(combineReplies(['bruising bad, redness 0', 'itching 1 burning 0 pain 2'])).toEqual({
      kind: 'scores',
      scores: { bruising: 3, redness: 0, itching: 1, burning: 0, pain: 2 },
      warningSigns: [],
      signReadings: [],
    });
  });

  it('lets "rest fine" fill only what no reply named', () => {
    expect(combineReplies(['bruising bad', 'others fine'])).toEqual({
      kind: 'scores',
      scores: { bruising: 3, redness: 0, itching: 0, burning: 0, pain: 0 },
      warningSigns: [],
      signReadings: [],
    });
    expect(combineReplies(['Schmerzen stark', 'Juckreiz leicht', 'Rest gut'])).toMatchObject({
      kind: 'scores',
      scores: { bruising: 0, redness: 0, itching: 1, burning: 0, pain: 3 },
    });
  });

  it('stays partial while something is missing, and lists it', () => {
    expect(combineReplies(['bruising bad', 'what do you mean?', 'pain 1'])).toEqual({
      kind: 'partial',
      scores: { bruising: 3, pain: 1 },
      missing: ['redness', 'itching', 'burning'],
      warningSigns: [],
      signReadings: [],
    });
  });

  it('takes a later score for the same symptom as a correction', () => {
    expect(combineReplies(['bruising bad', 'sorry, bruising mild'])).toMatchObject({ kind: 'partial', scores: { bruising: 1 } });
  });

  it('lets five numbers stand for themselves', () => {
    expect(combineReplies(['bruising bad', '1 0 2 0 1'])).toEqual({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE, warningSigns: [], signReadings: [] });
  });

  it('skips consent keywords and collects warning signs from every part', () => {
    expect(combineReplies(['HELP', 'pain bad', 'fever too'])).toMatchObject({ kind: 'partial', scores: { pain: 3 }, missing: ['bruising', 'redness', 'itching', 'burning'], warningSigns: ['fever'] });
    expect(combineReplies([])).toEqual({ kind: 'unreadable', warningSigns: [], signReadings: [] });
  });
});

describe('isStopRequest', () => {
  it.each([
    'please stop texting me',
    "don't text me anymore",
    'Do not contact me again',
    'stop sending me these messages',
    'no more texts please',
    'I dont want any more messages',
    'please unsubscribe me',
    'opt me out',
    'STOP please',
    'Stop it!',
    'bitte keine SMS mehr',
    'Ich möchte keine Nachrichten mehr bekommen',
    'Schreiben Sie mir bitte nicht mehr',
    'hören Sie auf',
    'Stopp bitte',
    'arrêtez les messages',
    "Arretez de m'envoyer des SMS svp",
    "ne m'envoyez plus de messages",
    'je veux me désabonner',
    'no me envíen más mensajes',
    'No me manden mas sms',
    'dejen de enviarme mensajes',
    'quiero darme de baja',
    'basta ya',
  ])('%j is a request to stop', (text) => {
    expect(isStopRequest(text)).toBe(true);
    // It never opts out by itself: only a whole-message keyword does.
    expect(parseSmsReply(text).kind).not.toBe('keyword');
  });

  it.each([
    'STOP',
    'stop all',
    'Unsubscribe',
    'the pain will not stop',
    "the itching doesn't stop",
    'I stopped using the cream',
    'no more bruising',
    'keine Schmerzen mehr',
    'der Juckreiz hört nicht auf',
    "la douleur ne s'arrête pas",
    'plus de douleur',
    'no más dolor',
    'el dolor no para',
    'estoy de baja',
    'bruising bad, rest fine',
    '',
  ])('%j is not', (text) => {
    expect(isStopRequest(text)).toBe(false);
  });

  it('is found beside an answer', () => {
    expect(isStopRequest('1 0 2 0 1 and please stop texting me')).toBe(true);
    expect(parseSmsReply('1 0 2 0 1 and please stop texting me')).toMatchObject({ kind: 'scores', scores: ONE_ZERO_TWO_ZERO_ONE });
  });
});
