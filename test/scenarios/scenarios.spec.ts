import { RULES } from '../../src/flags/rules';
import { runScenario, SCENARIOS } from './scenarios';

/** Patient courses through the rules and the merge of evidence: what each must raise, on which day, at which priority, and nothing else. */
describe('patient-course scenarios', () => {
  it('has at least 30 courses with unique names, usual ones and red flags, over the protocol days', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    expect(SCENARIOS.filter((s) => s.raises.length === 0).length).toBeGreaterThanOrEqual(8);
    // Every rule of the rule set is exercised by some course.
    const fired = new Set(SCENARIOS.flatMap((s) => s.raises.map(([, rule]) => rule)));
    expect([...fired].sort()).toEqual(RULES.map((r) => r.id).sort());
    const days = new Set(SCENARIOS.flatMap((s) => s.answers.map((a) => a.day)));
    for (const day of [1, 3, 7, 14, 30, 60, 90]) expect(days).toContain(day);
  });

  describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    const result = runScenario(scenario);

    it('raises exactly the flags it must, on the right day and at the right priority', () => {
      expect(result.raises).toEqual(scenario.raises);
    });

    if (scenario.never?.length) {
      it(`never raises ${scenario.never.join(', ')}`, () => {
        expect(result.raises.filter(([, rule]) => scenario.never!.includes(rule))).toEqual([]);
      });
    }

    if (scenario.flags) {
      it('ends with one flag per rule, its evidence from each day and its highest priority', () => {
        expect(result.flags).toEqual(expect.arrayContaining(scenario.flags!));
        expect(result.flags).toHaveLength(scenario.flags!.length);
      });
    }
  });
});
