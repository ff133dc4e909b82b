import { disproportionality, prr, prrInterval, yatesChiSquare } from './disproportionality';

describe('disproportionality', () => {
  it('computes PRR and the Yates chi-square of a table by hand', () => {
    // a=3 b=1 c=1 d=19, N=24: PRR = (3/4)/(1/20) = 15;
    // χ² = 24 (|3·19 − 1·1| − 12)² / (4·20·4·20) = 24·44² / 6400 = 7.26
    const r = disproportionality({ a: 3, b: 1, c: 1, d: 19 });
    expect(r.rate).toBe(0.75);
    expect(r.restRate).toBe(0.05);
    expect(r.prr).toBeCloseTo(15, 10);
    expect(r.chiSquare).toBeCloseTo(7.26, 10);
    expect(r.signal).toBe(true);
    expect(r.why).toEqual(['n = 3 ≥ 3', 'PRR = 15 ≥ 2', 'χ² = 7.26 ≥ 4']);
  });

  it('is not a signal at exactly the boundary values unless all three hold', () => {
    // a=3 b=1 c=1 d=11, N=16: χ² = 16 (|33 − 1| − 8)² / (4·12·4·12) = 16·576/2304 = 4 exactly → signal.
    const edge = disproportionality({ a: 3, b: 1, c: 1, d: 11 });
    expect(edge.chiSquare).toBeCloseTo(4, 10);
    expect(edge.prr).toBeCloseTo(9, 10);
    expect(edge.signal).toBe(true);
    // Two events: PRR and χ² may be high, n is not.
    const two = disproportionality({ a: 2, b: 0, c: 0, d: 40 });
    expect(two.signal).toBe(false);
    expect(two.why[0]).toBe('n = 2 < 3');
  });

  it('uses the Yates correction: a small difference gives 0, not a negative or tiny value', () => {
    // a=1 b=9 c=1 d=9: ad − bc = 0, so the corrected statistic is 0.
    expect(yatesChiSquare({ a: 1, b: 9, c: 1, d: 9 }).value).toBe(0);
    // a=10 b=20 c=20 d=50, N=100: |500 − 400| − 50 = 50; 100·2500 / (30·70·30·70) = 250000/4410000
    expect(yatesChiSquare({ a: 10, b: 20, c: 20, d: 50 }).value).toBeCloseTo(250000 / 4410000, 12);
  });

  it('reports an infinite PRR honestly and still counts it as ≥ 2', () => {
    // a=3 b=2 c=0 d=30, N=35: χ² = 35 (|90 − 0| − 17.5)² / (5·30·3·32) = 35·5256.25/14400 = 12.7756
    const r = disproportionality({ a: 3, b: 2, c: 0, d: 30 });
    expect(r.prr).toBeNull();
    expect(r.prrInfinite).toBe(true);
    expect(r.prrNote).toMatch(/infinite/);
    expect(r.chiSquare).toBeCloseTo((35 * 72.5 * 72.5) / 14400, 10);
    expect(r.signal).toBe(true);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it('gives null with a reason for empty margins, never NaN', () => {
    expect(prr({ a: 0, b: 0, c: 1, d: 5 })).toEqual({ value: null, infinite: false, note: 'no exposures with this value' });
    expect(prr({ a: 1, b: 5, c: 0, d: 0 }).note).toMatch(/no rest/);
    expect(prr({ a: 0, b: 5, c: 0, d: 7 }).note).toMatch(/0\/0/);
    expect(prr({ a: 0, b: 5, c: 2, d: 7 }).value).toBe(0);
    expect(yatesChiSquare({ a: 0, b: 5, c: 0, d: 7 })).toEqual({ value: null, note: 'undefined: no events at all' });
    expect(yatesChiSquare({ a: 2, b: 0, c: 3, d: 0 }).note).toMatch(/every treatment is an event/);
    const empty = disproportionality({ a: 0, b: 0, c: 0, d: 0 });
    expect(empty).toMatchObject({ rate: null, restRate: null, prr: null, chiSquare: null, signal: false });
    expect(JSON.stringify(empty)).not.toMatch(/NaN|Infinity/);
  });

  it('refuses cells that are not whole non-negative numbers', () => {
    expect(() => prr({ a: -1, b: 0, c: 0, d: 0 })).toThrow(/a must be/);
    expect(() => yatesChiSquare({ a: 1, b: 0.5, c: 0, d: 0 })).toThrow(/b must be/);
  });

  it('gives the PRR a 95% confidence interval on the log scale, and none when a or c is 0', () => {
    // a=3 b=1 c=1 d=19: ln 15 ± 1.96·√(1/3 − 1/4 + 1/1 − 1/20) = ln 15 ± 1.96·1.0165 → 2.05 to 110.0
    const r = disproportionality({ a: 3, b: 1, c: 1, d: 19 });
    expect(r.prrLower).toBeCloseTo(2.0455, 3);
    expect(r.prrUpper).toBeCloseTo(109.9966, 3);
    expect(r.prrLower! < r.prr! && r.prr! < r.prrUpper!).toBe(true);
    // The interval is symmetric around PRR on the log scale.
    expect(Math.log(r.prr!) - Math.log(r.prrLower!)).toBeCloseTo(Math.log(r.prrUpper!) - Math.log(r.prr!), 10);
    expect(prrInterval({ a: 0, b: 10, c: 2, d: 8 })).toBeNull();
    expect(prrInterval({ a: 3, b: 1, c: 0, d: 20 })).toBeNull();
    const infinite = disproportionality({ a: 3, b: 1, c: 0, d: 20 });
    expect(infinite).toMatchObject({ prrInfinite: true, prrLower: null, prrUpper: null });
  });
});
