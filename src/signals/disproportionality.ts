/**
 * Disproportionality statistics for safety signals, as used in pharmacovigilance (Evans, Waller
 * & Davis 2001, "Use of proportional reporting ratios (PRRs) for signal generation from
 * spontaneous adverse drug reaction reports"). Pure functions of a 2×2 table.
 *
 *                      event   no event
 *   with the value       a        b
 *   the rest             c        d
 *
 * Here the "reports" are treatments: a treatment is an event when it has an urgent or a
 * late-onset flag, and every treatment performed in the window is an exposure.
 */

export interface TwoByTwo {
  /** Events with the value. */
  a: number;
  /** Exposures with the value and no event. */
  b: number;
  /** Events in the rest. */
  c: number;
  /** Exposures in the rest with no event. */
  d: number;
}

export const SIGNAL_CRITERIA = { minEvents: 3, minPrr: 2, minChiSquare: 4 } as const;

export const CHI_SQUARE_METHOD = "Pearson's chi-square with Yates' continuity correction, 1 degree of freedom (Evans et al. 2001)";

export interface Disproportionality extends TwoByTwo {
  /** a + b: treatments with the value. */
  exposures: number;
  /** a: the n of the rule. */
  events: number;
  /** a / (a + b); null when there are no exposures. */
  rate: number | null;
  /** c / (c + d); null when the rest is empty. */
  restRate: number | null;
  /** (a/(a+b)) / (c/(c+d)); null when it cannot be a finite number, `prrNote` says why. */
  prr: number | null;
  /** True when the PRR is infinite (events with the value, none in a non-empty rest). */
  prrInfinite: boolean;
  prrNote: string | null;
  /**
   * The PRR's 95% confidence interval, exp(ln PRR ± 1.96·√(1/a − 1/(a+b) + 1/c − 1/(c+d)))
   * (Evans et al. 2001); null when the PRR is not a finite number above 0 (a = 0 or c = 0).
   */
  prrLower: number | null;
  prrUpper: number | null;
  /** Yates-corrected chi-square; null when a margin is empty (the test is undefined), `chiSquareNote` says why. */
  chiSquare: number | null;
  chiSquareNote: string | null;
  /** n ≥ 3, PRR ≥ 2 (an infinite PRR counts) and χ² ≥ 4. */
  signal: boolean;
  /** Which parts of the rule are met or missed, in words. */
  why: string[];
}

function checkTable(t: TwoByTwo): void {
  for (const k of ['a', 'b', 'c', 'd'] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 0) throw new RangeError(`${k} must be a whole number ≥ 0 (got ${t[k]})`);
  }
}

/** (a/(a+b)) / (c/(c+d)), or null with the reason it is not a finite number. */
export function prr(t: TwoByTwo): { value: number | null; infinite: boolean; note: string | null } {
  checkTable(t);
  const withValue = t.a + t.b;
  const rest = t.c + t.d;
  if (withValue === 0) return { value: null, infinite: false, note: 'no exposures with this value' };
  if (rest === 0) return { value: null, infinite: false, note: 'no rest to compare with: every treatment has this value' };
  if (t.c === 0) {
    if (t.a === 0) return { value: null, infinite: false, note: 'no events with this value or in the rest (0/0)' };
    return { value: null, infinite: true, note: 'infinite: events with this value and none in the rest' };
  }
  return { value: t.a / withValue / (t.c / rest), infinite: false, note: null };
}

export const PRR_INTERVAL_METHOD = '95% confidence interval exp(ln PRR ± 1.96·√(1/a − 1/(a+b) + 1/c − 1/(c+d))) (Evans et al. 2001); none when a or c is 0';

/** The PRR's 95% confidence interval on the log scale; null when a or c is 0 (ln PRR or its standard error is not finite). */
export function prrInterval(t: TwoByTwo): { lower: number; upper: number } | null {
  checkTable(t);
  if (t.a === 0 || t.c === 0 || t.a + t.b === 0 || t.c + t.d === 0) return null;
  const ln = Math.log(t.a / (t.a + t.b) / (t.c / (t.c + t.d)));
  const se = Math.sqrt(1 / t.a - 1 / (t.a + t.b) + 1 / t.c - 1 / (t.c + t.d));
  return { lower: Math.exp(ln - 1.96 * se), upper: Math.exp(ln + 1.96 * se) };
}

/**
 * Yates-corrected chi-square: N (max(0, |ad − bc| − N/2))² / ((a+b)(c+d)(a+c)(b+d)).
 * Undefined (null) when any margin is zero.
 */
export function yatesChiSquare(t: TwoByTwo): { value: number | null; note: string | null } {
  checkTable(t);
  const n = t.a + t.b + t.c + t.d;
  const margins = (t.a + t.b) * (t.c + t.d) * (t.a + t.c) * (t.b + t.d);
  if (margins === 0) {
    const which =
      t.a + t.b === 0 ? 'no exposures with this value'
      : t.c + t.d === 0 ? 'no rest to compare with'
      : t.a + t.c === 0 ? 'no events at all'
      : 'every treatment is an event';
    return { value: null, note: `undefined: ${which}` };
  }
  const diff = Math.max(0, Math.abs(t.a * t.d - t.b * t.c) - n / 2);
  return { value: (n * diff * diff) / margins, note: null };
}

/** Rates, PRR, chi-square and the signal rule (n ≥ 3, PRR ≥ 2, χ² ≥ 4) for one table. */
export function disproportionality(t: TwoByTwo, criteria = SIGNAL_CRITERIA): Disproportionality {
  const p = prr(t);
  const chi = yatesChiSquare(t);
  const ci = prrInterval(t);
  const exposures = t.a + t.b;
  const rest = t.c + t.d;
  const enoughEvents = t.a >= criteria.minEvents;
  const prrHigh = p.infinite || (p.value !== null && p.value >= criteria.minPrr);
  const chiHigh = chi.value !== null && chi.value >= criteria.minChiSquare;
  const why = [
    `n = ${t.a} ${enoughEvents ? '≥' : '<'} ${criteria.minEvents}`,
    p.value !== null ? `PRR = ${round(p.value)} ${prrHigh ? '≥' : '<'} ${criteria.minPrr}` : `PRR ${p.note}`,
    chi.value !== null ? `χ² = ${round(chi.value)} ${chiHigh ? '≥' : '<'} ${criteria.minChiSquare}` : `χ² ${chi.note}`,
  ];
  return {
    ...t,
    exposures,
    events: t.a,
    rate: exposures ? t.a / exposures : null,
    restRate: rest ? t.c / rest : null,
    prr: p.value,
    prrInfinite: p.infinite,
    prrNote: p.note,
    prrLower: ci?.lower ?? null,
    prrUpper: ci?.upper ?? null,
    chiSquare: chi.value,
    chiSquareNote: chi.note,
    signal: enoughEvents && prrHigh && chiHigh,
    why,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
