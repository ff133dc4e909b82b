import { SymptomScores } from '../protocols/questions';
import { AnswerForRules, evaluateRules, PRIORITY_RANK, RULES, RuleHit } from './rules';

const CALM: SymptomScores = { bruising: 1, redness: 1, itching: 0, burning: 0, pain: 1 };

function answer(overrides: Partial<Omit<AnswerForRules, 'scores'>> & { scores?: Partial<SymptomScores> } = {}): AnswerForRules {
  return {
    warningSigns: [],
    freeText: null,
    daySinceTreatment: 2,
    ...overrides,
    scores: { ...CALM, ...overrides.scores },
  };
}

function rule(id: string) {
  const found = RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

describe('PRIORITY_RANK', () => {
  it('ranks urgent first and low last', () => {
    expect(PRIORITY_RANK).toEqual({ urgent: 0, high: 1, normal: 2, low: 3 });
  });
});

describe('RULES', () => {
  it('has the three version-1 rules with unique ids', () => {
    expect(RULES.map((r) => [r.id, r.version])).toEqual([
      ['warning-sign', 1],
      ['severe-symptom', 1],
      ['worsening', 1],
    ]);
  });

  it('fire nothing for a calm answer', () => {
    expect(evaluateRules(answer(), answer())).toEqual([]);
    expect(evaluateRules(answer(), null)).toEqual([]);
  });
});

describe('warning-sign rule', () => {
  const warningSign = rule('warning-sign');

  it('is urgent when a warning sign was ticked', () => {
    const hit = warningSign.evaluate(answer({ warningSigns: ['spreading_redness', 'fever'] }), null);
    expect(hit).toEqual<RuleHit>({
      ruleId: 'warning-sign',
      ruleVersion: 1,
      priority: 'urgent',
      reason: 'Patient reported warning signs: fever, spreading redness',
      evidence: { signs: ['fever', 'spreading_redness'], ticked: ['fever', 'spreading_redness'], fromText: [], onlyInText: [], freeText: null },
    });
  });

  it('is urgent when only the free text names a sign, and says so', () => {
    const hit = warningSign.evaluate(answer({ freeText: 'my lips are swelling and I feel feverish' }), null);
    expect(hit?.priority).toBe('urgent');
    expect(hit?.evidence).toEqual({
      signs: ['fever', 'airway_swelling'],
      ticked: [],
      fromText: ['fever', 'airway_swelling'],
      onlyInText: ['fever', 'airway_swelling'],
      freeText: 'my lips are swelling and I feel feverish',
    });
    expect(hit?.reason).toBe(
      'Patient reported warning signs: fever, face/lip/throat swelling or difficulty breathing ' +
        '(fever, face/lip/throat swelling or difficulty breathing only mentioned in their message)',
    );
  });

  it('merges ticked and written signs without repeating them', () => {
    const hit = warningSign.evaluate(answer({ warningSigns: ['hives', 'fever'], freeText: 'fever and some pus' }), null);
    expect(hit?.evidence).toMatchObject({
      signs: ['fever', 'discharge', 'hives'],
      ticked: ['fever', 'hives'],
      fromText: ['fever', 'discharge'],
      onlyInText: ['discharge'],
    });
    expect(hit?.reason).toBe(
      'Patient reported warning signs: fever, discharge (pus or fluid), hives (discharge (pus or fluid) only mentioned in their message)',
    );
  });

  it('does not fire without ticked signs or matching text', () => {
    expect(warningSign.evaluate(answer({ freeText: 'bit sore but fine' }), null)).toBeNull();
    expect(warningSign.evaluate(answer({ freeText: '' }), null)).toBeNull();
    expect(warningSign.evaluate(answer(), null)).toBeNull();
  });

  it('ignores symptom scores, however high', () => {
    expect(warningSign.evaluate(answer({ scores: { pain: 4, redness: 4 } }), null)).toBeNull();
  });
});

describe('severe-symptom rule', () => {
  const severeSymptom = rule('severe-symptom');

  it('is high when a symptom is at SEVERE (3)', () => {
    const hit = severeSymptom.evaluate(answer({ scores: { pain: 3 } }), null);
    expect(hit).toEqual<RuleHit>({
      ruleId: 'severe-symptom',
      ruleVersion: 1,
      priority: 'high',
      reason: 'Severe symptoms: pain 3/4',
      evidence: { severe: [{ symptom: 'pain', score: 3 }], threshold: 3, daySinceTreatment: 2 },
    });
  });

  it('lists every severe symptom in questionnaire order', () => {
    const hit = severeSymptom.evaluate(answer({ scores: { pain: 4, bruising: 3, itching: 2 } }), null);
    expect(hit?.evidence.severe).toEqual([
      { symptom: 'bruising', score: 3 },
      { symptom: 'pain', score: 4 },
    ]);
    expect(hit?.reason).toBe('Severe symptoms: bruising 3/4, pain 4/4');
  });

  it('does not fire below SEVERE', () => {
    expect(severeSymptom.evaluate(answer({ scores: { bruising: 2, redness: 2, itching: 2, burning: 2, pain: 2 } }), null)).toBeNull();
  });
});

describe('worsening rule', () => {
  const worsening = rule('worsening');

  it('does not fire without a previous answer', () => {
    expect(worsening.evaluate(answer({ scores: { pain: 4 }, daySinceTreatment: 10 }), null)).toBeNull();
  });

  it('early on (day ≤ 3), fires on a rise of 2 or more', () => {
    const previous = answer({ scores: { redness: 0 }, daySinceTreatment: 1 });
    const current = answer({ scores: { redness: 2 }, daySinceTreatment: 3 });
    expect(worsening.evaluate(current, previous)).toEqual<RuleHit>({
      ruleId: 'worsening',
      ruleVersion: 1,
      priority: 'normal',
      reason: 'Worse than the previous check-in (day 1 → day 3): redness 0→2',
      evidence: {
        worsened: [{ symptom: 'redness', from: 0, to: 2 }],
        minimumRise: 2,
        daySinceTreatment: 3,
        previousDaySinceTreatment: 1,
      },
    });
  });

  it('early on (day ≤ 3), ignores a rise of 1', () => {
    const previous = answer({ scores: { pain: 1 }, daySinceTreatment: 1 });
    expect(worsening.evaluate(answer({ scores: { pain: 2 }, daySinceTreatment: 3 }), previous)).toBeNull();
  });

  it('after day 3, fires on any rise', () => {
    const previous = answer({ scores: { itching: 0 }, daySinceTreatment: 3 });
    const hit = worsening.evaluate(answer({ scores: { itching: 1 }, daySinceTreatment: 4 }), previous);
    expect(hit?.evidence).toEqual({
      worsened: [{ symptom: 'itching', from: 0, to: 1 }],
      minimumRise: 1,
      daySinceTreatment: 4,
      previousDaySinceTreatment: 3,
    });
  });

  it('lists every worsened symptom in questionnaire order', () => {
    const previous = answer({ scores: { bruising: 0, pain: 0, burning: 1 }, daySinceTreatment: 7 });
    const hit = worsening.evaluate(answer({ scores: { bruising: 1, pain: 3, burning: 1 }, daySinceTreatment: 14 }), previous);
    expect(hit?.evidence.worsened).toEqual([
      { symptom: 'bruising', from: 0, to: 1 },
      { symptom: 'pain', from: 0, to: 3 },
    ]);
    expect(hit?.reason).toBe('Worse than the previous check-in (day 7 → day 14): bruising 0→1, pain 0→3');
  });

  it('does not fire when symptoms stay the same or improve', () => {
    const previous = answer({ scores: { bruising: 3, pain: 2 }, daySinceTreatment: 7 });
    expect(worsening.evaluate(answer({ scores: { bruising: 3, pain: 0 }, daySinceTreatment: 14 }), previous)).toBeNull();
  });
});

describe('evaluateRules', () => {
  it('returns every hit, most urgent first', () => {
    const previous = answer({ scores: { pain: 0 }, daySinceTreatment: 3 });
    const current = answer({ scores: { pain: 4 }, freeText: 'I have a fever', daySinceTreatment: 7 });

    const hits = evaluateRules(current, previous);

    expect(hits.map((h) => [h.ruleId, h.priority])).toEqual([
      ['warning-sign', 'urgent'],
      ['severe-symptom', 'high'],
      ['worsening', 'normal'],
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
      const hits = evaluateRules(answer({ scores: { pain: 3 } }), null);
      expect(hits.map((h) => h.ruleId)).toEqual(['late-urgent', 'severe-symptom', 'early-low']);
    } finally {
      RULES.shift();
      RULES.pop();
    }
    expect(RULES).toHaveLength(3);
  });

  it('returns only the rules that fire', () => {
    const hits = evaluateRules(answer({ scores: { burning: 3 } }), null);
    expect(hits.map((h) => h.ruleId)).toEqual(['severe-symptom']);
  });
});
