import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../protocols/expected-course';
import { SymptomScores } from '../protocols/questions';
import { AnswerForRules, evaluateRules, PRIORITY_RANK, RULES, RuleHit, RuleInput } from './rules';

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

/** The rules' input: an answer, the one before it (or a history, oldest first), the default course. */
function input(current: AnswerForRules, previous: AnswerForRules | AnswerForRules[] | null = null, course: ExpectedCourse = DEFAULT_EXPECTED_COURSE): RuleInput {
  return { current, history: previous === null ? [] : Array.isArray(previous) ? previous : [previous], course };
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

const QUIET: Partial<SymptomScores> = { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 0 };

describe('above-expected-course rule', () => {
  const above = rule('above-expected-course');

  it('is normal when a symptom is above the usual score for the day, and names the yardstick', () => {
    const hit = above.evaluate(input(answer({ scores: { ...QUIET, itching: 2 }, daySinceTreatment: 3 })));
    expect(hit).toEqual<RuleHit>({
      ruleId: 'above-expected-course',
      ruleVersion: 1,
      priority: 'normal',
      reason: 'Worse than the usual course for day 3: itching 2/4 (usual: up to 1)',
      evidence: { above: [{ symptom: 'itching', score: 2, expectedMax: 1 }], daySinceTreatment: 3 },
    });
  });

  it('does not fire at or below the usual score', () => {
    expect(above.evaluate(input(answer({ scores: { bruising: 2, redness: 2, itching: 1, burning: 2, pain: 2 }, daySinceTreatment: 2 })))).toBeNull();
    expect(above.evaluate(input(answer({ scores: { ...QUIET, bruising: 1 }, daySinceTreatment: 15 })))).toBeNull();
  });

  it('leaves severe symptoms to severe-symptom and symptoms past their window to persisting-symptom', () => {
    expect(above.evaluate(input(answer({ scores: { ...QUIET, pain: 3 }, daySinceTreatment: 7 })))).toBeNull();
    expect(above.evaluate(input(answer({ scores: { ...QUIET, bruising: 1 }, daySinceTreatment: 16 })))).toBeNull();
  });

  it("judges by the protocol's own course", () => {
    const course: ExpectedCourse = { ...DEFAULT_EXPECTED_COURSE, itching: [{ throughDay: 7, max: 2 }] };
    expect(above.evaluate(input(answer({ scores: { ...QUIET, itching: 2 }, daySinceTreatment: 3 }), null, course))).toBeNull();
    // A symptom the course never expects is "above expected" from day 0 (not "persisting").
    const never: ExpectedCourse = { ...DEFAULT_EXPECTED_COURSE, burning: [] };
    expect(above.evaluate(input(answer({ scores: { ...QUIET, burning: 1 }, daySinceTreatment: 1 }), null, never))?.evidence.above).toEqual([
      { symptom: 'burning', score: 1, expectedMax: 0 },
    ]);
    expect(rule('persisting-symptom').evaluate(input(answer({ scores: { ...QUIET, burning: 1 }, daySinceTreatment: 1 }), null, never))).toBeNull();
  });

  it('judges nothing when the answer has no scores', () => {
    expect(above.evaluate(input({ scores: null, warningSigns: ['fever'], freeText: 'fever', daySinceTreatment: 3 }))).toBeNull();
  });
});

describe('persisting-symptom rule', () => {
  const persisting = rule('persisting-symptom');

  it('is normal when a symptom is still there after its window', () => {
    const previous = answer({ scores: { ...QUIET, bruising: 1 }, daySinceTreatment: 14 });
    const hit = persisting.evaluate(input(answer({ scores: { ...QUIET, bruising: 1 }, daySinceTreatment: 30 }), previous));
    expect(hit).toEqual<RuleHit>({
      ruleId: 'persisting-symptom',
      ruleVersion: 1,
      priority: 'normal',
      reason: 'Still present on day 30, longer than usual: bruising 1/4 (usually gone after day 15)',
      evidence: { persisting: [{ symptom: 'bruising', score: 1, windowEnd: 15 }], daySinceTreatment: 30 },
    });
  });

  it('also fires when there is no earlier answer to compare with', () => {
    expect(persisting.evaluate(input(answer({ scores: { ...QUIET, redness: 1 }, daySinceTreatment: 30 })))?.evidence.persisting).toEqual([
      { symptom: 'redness', score: 1, windowEnd: 14 },
    ]);
  });

  it('does not fire inside the window, nor when the symptom came back or grew (that is worsening)', () => {
    expect(persisting.evaluate(input(answer({ scores: { ...QUIET, bruising: 1 }, daySinceTreatment: 15 })))).toBeNull();
    const clean = answer({ scores: QUIET, daySinceTreatment: 14 });
    const back = answer({ scores: { ...QUIET, redness: 1 }, daySinceTreatment: 30 });
    expect(persisting.evaluate(input(back, clean))).toBeNull();
    expect(rule('worsening').evaluate(input(back, clean))?.evidence.worsened).toEqual([{ symptom: 'redness', from: 0, to: 1 }]);
  });

  it('leaves severe symptoms to severe-symptom', () => {
    expect(persisting.evaluate(input(answer({ scores: { ...QUIET, pain: 3 }, daySinceTreatment: 30 }), answer({ scores: { ...QUIET, pain: 3 }, daySinceTreatment: 14 })))).toBeNull();
  });
});

describe('late-onset rule', () => {
  const lateOnset = rule('late-onset');
  const quietOn = (day: number) => answer({ scores: QUIET, daySinceTreatment: day });

  it('is high on a new lump after clean check-ins, and suggests atypical mycobacteria', () => {
    const hit = lateOnset.evaluate(input(answer({ scores: QUIET, warningSigns: ['new_lump'], daySinceTreatment: 30 }), [quietOn(7), quietOn(14)]));
    expect(hit).toEqual<RuleHit>({
      ruleId: 'late-onset',
      ruleVersion: 1,
      priority: 'high',
      reason: 'Late onset on day 30, after no symptoms since day 7: new hard lump; possible delayed infection, consider atypical mycobacteria',
      evidence: { signs: ['new_lump'], daySinceTreatment: 30, quietSinceDay: 7, quietAnswerDays: [7, 14] },
    });
  });

  it('fires alongside warning-sign, also for a sign only in words and without scores', () => {
    const current: AnswerForRules = { scores: null, warningSigns: [], freeText: 'there is pus coming out of one spot', daySinceTreatment: 21 };
    const hits = evaluateRules(input(current, [answer({ scores: { ...QUIET, bruising: 2 }, daySinceTreatment: 1 }), quietOn(7), quietOn(14)]));
    expect(hits.map((h) => [h.ruleId, h.priority])).toEqual([
      ['warning-sign', 'urgent'],
      ['late-onset', 'high'],
    ]);
    expect(hits[1].evidence).toMatchObject({ signs: ['discharge'], quietSinceDay: 7 });
  });

  it('counts discharge, spreading redness and skin change too, but not fever, hives or airway swelling', () => {
    for (const sign of ['discharge', 'spreading_redness', 'skin_change'] as const) {
      expect(lateOnset.evaluate(input(answer({ scores: QUIET, warningSigns: [sign], daySinceTreatment: 30 }), [quietOn(14)]))?.evidence.signs).toEqual([sign]);
    }
    for (const sign of ['fever', 'hives', 'airway_swelling'] as const) {
      expect(lateOnset.evaluate(input(answer({ scores: QUIET, warningSigns: [sign], daySinceTreatment: 30 }), [quietOn(14)]))).toBeNull();
    }
  });

  it('needs a quiet spell of 7 days or more just before the sign', () => {
    const lump = (day: number) => answer({ scores: QUIET, warningSigns: ['new_lump'], daySinceTreatment: day });
    // No earlier answer: nothing says the patient was well.
    expect(lateOnset.evaluate(input(lump(30)))).toBeNull();
    // Quiet since day 1, lump on day 7: 6 days.
    expect(lateOnset.evaluate(input(lump(7), [quietOn(1), quietOn(3)]))).toBeNull();
    expect(lateOnset.evaluate(input(lump(8), [quietOn(1), quietOn(3)]))?.evidence.quietSinceDay).toBe(1);
    // The latest answer had symptoms: not a quiet spell.
    expect(lateOnset.evaluate(input(lump(30), [quietOn(7), answer({ scores: { ...QUIET, redness: 1 }, daySinceTreatment: 14 })]))).toBeNull();
    // An earlier warning sign breaks the spell (the lump is not new).
    expect(lateOnset.evaluate(input(lump(30), [quietOn(3), answer({ scores: QUIET, freeText: 'small lump', daySinceTreatment: 14 })]))).toBeNull();
    // An earlier answer without scores is not "no symptoms" either.
    expect(lateOnset.evaluate(input(lump(30), [quietOn(3), { scores: null, warningSigns: ['new_lump'], freeText: 'lump', daySinceTreatment: 14 }]))).toBeNull();
  });
});

describe('one voice per symptom', () => {
  it('tells a rise above the usual course as above-expected-course, not also worsening', () => {
    const hits = evaluateRules(input(answer({ scores: { ...QUIET, pain: 2 }, daySinceTreatment: 7 }), answer({ scores: QUIET, daySinceTreatment: 3 })));
    expect(hits.map((h) => h.ruleId)).toEqual(['above-expected-course']);
  });

  it('tells a severe rise as severe-symptom and worsening (high), nothing more', () => {
    const hits = evaluateRules(input(answer({ scores: { ...QUIET, pain: 4 }, daySinceTreatment: 7 }), answer({ scores: { ...QUIET, pain: 1 }, daySinceTreatment: 3 })));
    expect(hits.map((h) => [h.ruleId, h.priority])).toEqual([
      ['severe-symptom', 'high'],
      ['worsening', 'high'],
    ]);
  });

  it('tells each symptom by its own rule in one answer', () => {
    // Day 20: bruising 1 still there (persisting), redness 0→1 back (worsening), pain 3 (severe).
    const previous = answer({ scores: { ...QUIET, bruising: 1, pain: 3 }, daySinceTreatment: 14 });
    const hits = evaluateRules(input(answer({ scores: { ...QUIET, bruising: 1, redness: 1, pain: 3 }, daySinceTreatment: 20 }), previous));
    expect(hits.map((h) => h.ruleId)).toEqual(['severe-symptom', 'worsening', 'persisting-symptom']);
    expect(hits[1].evidence.worsened).toEqual([{ symptom: 'redness', from: 0, to: 1 }]);
    expect(hits[1].priority).toBe('normal');
    expect(hits[2].evidence.persisting).toEqual([{ symptom: 'bruising', score: 1, windowEnd: 15 }]);
  });

  it('compares with the latest scored answer, skipping answers without scores', () => {
    const history: AnswerForRules[] = [
      answer({ scores: { ...QUIET, bruising: 0 }, daySinceTreatment: 3 }),
      { scores: null, warningSigns: ['fever'], freeText: 'fever', daySinceTreatment: 5 },
    ];
    const hit = rule('worsening').evaluate(input(answer({ scores: { ...QUIET, bruising: 1 }, daySinceTreatment: 7 }), history));
    expect(hit?.evidence).toMatchObject({ worsened: [{ symptom: 'bruising', from: 0, to: 1 }], previousDaySinceTreatment: 3 });
  });
});

describe('a course of sessions', () => {
  const zero: SymptomScores = { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 0 };
  const earlier = (day: number, scores: Partial<SymptomScores>) => answer({ scores: { ...zero, ...scores }, daySinceTreatment: day, beforeSession: true });

  it('the next session\'s ordinary day-1 reaction is not "worse" than the settled answers of the session before', () => {
    // Settled by the morning of session 2 (day 0 on its timeline, given before it was performed).
    const history = [earlier(-6, { bruising: 2, redness: 1, pain: 1 }), earlier(-4, { bruising: 1 }), earlier(0, {})];
    expect(evaluateRules(input(answer({ scores: { ...zero, bruising: 2, redness: 2, pain: 2 }, daySinceTreatment: 1 }), history))).toEqual([]);
    // Day 4 of the session after a zero on the session before: mild, usual, no flag.
    expect(evaluateRules(input(answer({ scores: { ...zero, bruising: 1, redness: 1, pain: 1 }, daySinceTreatment: 4 }), [earlier(-7, {}), earlier(-3, {})]))).toEqual([]);
  });

  it('still measures a rise within the session, and the quiet spell before a late onset across sessions', () => {
    // Bruising 1 → 2 on day 7 is inside its usual course (moderate until day 10) but a rise after day 3.
    const within = [earlier(-3, {}), answer({ scores: { ...zero, bruising: 1 }, daySinceTreatment: 4 })];
    expect(evaluateRules(input(answer({ scores: { ...zero, bruising: 2 }, daySinceTreatment: 7 }), within)).map((h) => h.ruleId)).toEqual(['worsening']);
    const quiet = [earlier(-10, {}), earlier(-3, {}), answer({ scores: zero, daySinceTreatment: 14 })];
    const late = evaluateRules(input(answer({ scores: zero, warningSigns: ['discharge'], daySinceTreatment: 30 }), quiet));
    expect(late.find((h) => h.ruleId === 'late-onset')?.evidence).toMatchObject({ quietSinceDay: -10 });
  });
});
