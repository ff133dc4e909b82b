// The rule set, warning signs, severe and worsening symptoms, and evaluateRules as a whole.
import { answer, input, rule } from '../../test/support/rule-answers';
import { evaluateRules, PRIORITY_RANK, RULES, RuleHit } from './rules';

describe('PRIORITY_RANK', () => {
  it('ranks urgent first and low last', () => {
    expect(PRIORITY_RANK).toEqual({ urgent: 0, high: 1, normal: 2, low: 3 });
  });
});

describe('RULES', () => {
  it('has the rules with their shared ids and versions', () => {
    expect(RULES.map((r) => [r.id, r.version])).toEqual([
      ['warning-sign', 2],
      ['severe-symptom', 1],
      ['late-onset', 1],
      ['above-expected-course', 1],
      ['worsening', 2],
      ['persisting-symptom', 1],
    ]);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('fire nothing for a calm answer', () => {
    expect(evaluateRules(input(answer(), answer()))).toEqual([]);
    expect(evaluateRules(input(answer(), null))).toEqual([]);
  });
});

describe('warning-sign rule', () => {
  const warningSign = rule('warning-sign');

  it('is urgent when a warning sign was ticked', () => {
    const hit = warningSign.evaluate(input(answer({ warningSigns: ['spreading_redness', 'fever'] }), null));
    expect(hit).toEqual<RuleHit>({
      ruleId: 'warning-sign',
      ruleVersion: 2,
      priority: 'urgent',
      reason: 'Patient reported warning signs: fever, spreading redness',
      evidence: { signs: ['fever', 'spreading_redness'], ticked: ['fever', 'spreading_redness'], fromText: [], onlyInText: [], readings: [], freeText: null },
    });
  });

  it('is urgent when only the free text names a sign, and says so', () => {
    const hit = warningSign.evaluate(input(answer({ freeText: 'my lips are swelling and I feel feverish' }), null));
    expect(hit?.priority).toBe('urgent');
    expect(hit?.evidence).toEqual({
      signs: ['fever', 'airway_swelling'],
      ticked: [],
      fromText: ['fever', 'airway_swelling'],
      onlyInText: ['fever', 'airway_swelling'],
      readings: [
        { sign: 'airway_swelling', status: 'present', words: 'lips are swelling', cue: null },
        { sign: 'fever', status: 'present', words: 'feverish', cue: null },
      ],
      freeText: 'my lips are swelling and I feel feverish',
    });
    expect(hit?.reason).toBe('Patient reported warning signs: fever, face/lip/throat swelling or difficulty breathing; in their words: "lips are swelling", "feverish"');
  });

  it('quotes the words it acted on, says what was doubted, and what was said to be absent', () => {
    const hit = warningSign.evaluate(input(answer({ freeText: 'No fever but my lips are swelling. I think it might be pus' }), null));
    expect(hit?.reason).toBe(
      'Patient reported warning signs: discharge (pus or fluid), face/lip/throat swelling or difficulty breathing; ' +
        'in their words: "lips are swelling", "pus" (unsure: "might be"); they said no to: "fever" ("No")',
    );
  });

  it('does not fire on signs the patient said are absent, in any language', () => {
    for (const freeText of ['No fever, no pus, just a bit tender.', 'Kein Fieber, keine Schwellung im Gesicht.', 'pas de fièvre ni de pus', 'sin fiebre, sin pus']) {
      expect(warningSign.evaluate(input(answer({ freeText }), null))).toBeNull();
    }
  });

  it('judges an answer by its stored readings when it has them (an SMS ticks nothing)', () => {
    const signReadings = [{ sign: 'fever' as const, status: 'negated' as const, words: 'fever', cue: 'no' }];
    expect(warningSign.evaluate(input(answer({ freeText: 'fever', signReadings }), null))).toBeNull();
  });

  it('merges ticked and written signs without repeating them', () => {
    const hit = warningSign.evaluate(input(answer({ warningSigns: ['hives', 'fever'], freeText: 'fever and some pus' }), null));
    expect(hit?.evidence).toMatchObject({
      signs: ['fever', 'discharge', 'hives'],
      ticked: ['fever', 'hives'],
      fromText: ['fever', 'discharge'],
      onlyInText: ['discharge'],
    });
    expect(hit?.reason).toBe('Patient reported warning signs: fever, discharge (pus or fluid), hives; in their words: "fever", "pus"');
  });

  it('does not fire without ticked signs or matching text', () => {
    expect(warningSign.evaluate(input(answer({ freeText: 'bit sore but fine' }), null))).toBeNull();
    expect(warningSign.evaluate(input(answer({ freeText: '' }), null))).toBeNull();
    expect(warningSign.evaluate(input(answer(), null))).toBeNull();
  });

  it('ignores symptom scores, however high', () => {
    expect(warningSign.evaluate(input(answer({ scores: { pain: 4, redness: 4 } }), null))).toBeNull();
  });
});

describe('severe-symptom rule', () => {
  const severeSymptom = rule('severe-symptom');

  it('is high when a symptom is at SEVERE (3)', () => {
    const hit = severeSymptom.evaluate(input(answer({ scores: { pain: 3 } }), null));
    expect(hit).toEqual<RuleHit>({
      ruleId: 'severe-symptom',
      ruleVersion: 1,
      priority: 'high',
      reason: 'Severe symptoms: pain 3/4',
      evidence: { severe: [{ symptom: 'pain', score: 3 }], threshold: 3, daySinceTreatment: 2 },
    });
  });

  it('lists every severe symptom in questionnaire order', () => {
    const hit = severeSymptom.evaluate(input(answer({ scores: { pain: 4, bruising: 3, itching: 2 } }), null));
    expect(hit?.evidence.severe).toEqual([
      { symptom: 'bruising', score: 3 },
      { symptom: 'pain', score: 4 },
    ]);
    expect(hit?.reason).toBe('Severe symptoms: bruising 3/4, pain 4/4');
  });

  it('does not fire below SEVERE', () => {
    expect(severeSymptom.evaluate(input(answer({ scores: { bruising: 2, redness: 2, itching: 2, burning: 2, pain: 2 } }), null))).toBeNull();
  });
});

describe('worsening rule', () => {
  const worsening = rule('worsening');

  it('does not fire without a previous answer', () => {
    expect(worsening.evaluate(input(answer({ scores: { pain: 4 }, daySinceTreatment: 10 }), null))).toBeNull();
  });

  it('early on (day ≤ 3), fires on a rise of 2 or more', () => {
    const previous = answer({ scores: { redness: 0 }, daySinceTreatment: 1 });
    // Redness 2 is still usual on day 2, so the rise is worsening (not above the course).
    const current = answer({ scores: { redness: 2 }, daySinceTreatment: 2 });
    expect(worsening.evaluate(input(current, previous))).toEqual<RuleHit>({
      ruleId: 'worsening',
      ruleVersion: 2,
      priority: 'normal',
      reason: 'Worse than the previous check-in (day 1 → day 2): redness 0→2',
      evidence: {
        worsened: [{ symptom: 'redness', from: 0, to: 2 }],
        reachedSevere: [],
        minimumRise: 2,
        daySinceTreatment: 2,
        previousDaySinceTreatment: 1,
      },
    });
  });

  it('early on (day ≤ 3), ignores a rise of 1', () => {
    const previous = answer({ scores: { pain: 1 }, daySinceTreatment: 1 });
    expect(worsening.evaluate(input(answer({ scores: { pain: 2 }, daySinceTreatment: 3 }), previous))).toBeNull();
  });

  it('after day 3, fires on any rise', () => {
    const previous = answer({ scores: { itching: 0 }, daySinceTreatment: 3 });
    const hit = worsening.evaluate(input(answer({ scores: { itching: 1 }, daySinceTreatment: 4 }), previous));
    expect(hit?.evidence).toEqual({
      worsened: [{ symptom: 'itching', from: 0, to: 1 }],
      reachedSevere: [],
      minimumRise: 1,
      daySinceTreatment: 4,
      previousDaySinceTreatment: 3,
    });
  });

  it('lists every worsened symptom in questionnaire order', () => {
    const previous = answer({ scores: { bruising: 0, pain: 0, burning: 1 }, daySinceTreatment: 7 });
    const hit = worsening.evaluate(input(answer({ scores: { bruising: 1, pain: 3, burning: 1 }, daySinceTreatment: 14 }), previous));
    expect(hit?.evidence.worsened).toEqual([
      { symptom: 'bruising', from: 0, to: 1 },
      { symptom: 'pain', from: 0, to: 3 },
    ]);
    expect(hit?.reason).toBe('Worse than the previous check-in (day 7 → day 14): bruising 0→1, pain 0→3, now severe');
    expect(hit?.priority).toBe('high');
    expect(hit?.evidence.reachedSevere).toEqual(['pain']);
  });

  it('does not fire when symptoms stay the same or improve', () => {
    const previous = answer({ scores: { bruising: 3, pain: 2 }, daySinceTreatment: 7 });
    expect(worsening.evaluate(input(answer({ scores: { bruising: 3, pain: 0 }, daySinceTreatment: 14 }), previous))).toBeNull();
  });
});

describe('evaluateRules', () => {
  it('returns every hit, most urgent first', () => {
    const previous = answer({ scores: { pain: 0 }, daySinceTreatment: 3 });
    const current = answer({ scores: { pain: 4 }, freeText: 'I have a fever', daySinceTreatment: 7 });

    const hits = evaluateRules(input(current, previous));

    expect(hits.map((h) => [h.ruleId, h.priority])).toEqual([
      ['warning-sign', 'urgent'],
      ['severe-symptom', 'high'],
      ['worsening', 'high'],
    ]);
  });

  it('sorts by priority, not by rule order', () => {
    const urgentLast = {
      id: 'late-urgent',
      version: 1,
      evaluate: (): RuleHit => ({ ruleId: 'late-urgent', ruleVersion: 1, priority: 'urgent', reason: 'x', evidence: {} }),
    };
    const lowFirst = {
      id: 'early-low',
      version: 1,
      evaluate: (): RuleHit => ({ ruleId: 'early-low', ruleVersion: 1, priority: 'low', reason: 'y', evidence: {} }),
    };
    RULES.unshift(lowFirst);
    RULES.push(urgentLast);
    try {
      const hits = evaluateRules(input(answer({ scores: { pain: 3 } }), null));
      expect(hits.map((h) => h.ruleId)).toEqual(['late-urgent', 'severe-symptom', 'early-low']);
    } finally {
      RULES.shift();
      RULES.pop();
    }
    expect(RULES).toHaveLength(6);
  });

  it('returns only the rules that fire', () => {
    const hits = evaluateRules(input(answer({ scores: { burning: 3 } }), null));
    expect(hits.map((h) => h.ruleId)).toEqual(['severe-symptom']);
  });
});
