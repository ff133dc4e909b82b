// The rules that read the course: above the expected course, persisting, late onset, one voice per symptom, sessions.
import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../protocols/expected-course';
import { SymptomScores } from '../protocols/questions';
import { answer, input, rule } from '../../test/support/rule-answers';
import { AnswerForRules, evaluateRules, RuleHit } from './rules';

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
