/**
 * The expected course of each symptom after a treatment: how bad it may be on a given day and
 * when it should be gone. Protocols carry one (versioned with the protocol); the rules judge
 * answers against it. Pure data and pure functions.
 */
import { MAX_SEVERITY, Symptom, SYMPTOMS } from './questions';

/** Up to and including `throughDay` (days since treatment), a score up to `max` is usual. */
export interface CourseBand {
  throughDay: number;
  max: number;
}

/** Per symptom, bands in increasing `throughDay`; after the last band the symptom should be gone. */
export type ExpectedCourse = Record<Symptom, CourseBand[]>;

/**
 * A starting point from published case series of mesotherapy: bruising up to moderate until day
 * 10, mild until day 15; redness, burning and pain up to moderate on days 0–2, mild until day 7,
 * gone after day 14; itching mild until day 7.
 */
export const DEFAULT_EXPECTED_COURSE: ExpectedCourse = {
  bruising: [
    { throughDay: 10, max: 2 },
    { throughDay: 15, max: 1 },
  ],
  redness: [
    { throughDay: 2, max: 2 },
    { throughDay: 14, max: 1 },
  ],
  itching: [{ throughDay: 7, max: 1 }],
  burning: [
    { throughDay: 2, max: 2 },
    { throughDay: 14, max: 1 },
  ],
  pain: [
    { throughDay: 2, max: 2 },
    { throughDay: 14, max: 1 },
  ],
};

/** The highest usual score for the symptom on that day (0 once its window has passed). */
export function expectedMax(course: ExpectedCourse, symptom: Symptom, day: number): number {
  for (const band of course[symptom]) if (day <= band.throughDay) return band.max;
  return 0;
}

/** The last day on which the symptom is still usual at all (-1: never usual). */
export function windowEnd(course: ExpectedCourse, symptom: Symptom): number {
  const bands = course[symptom].filter((b) => b.max > 0);
  return bands.length ? bands[bands.length - 1].throughDay : -1;
}

/** What is wrong with a course given as input (empty: it is valid). Messages name the field. */
export function expectedCourseErrors(value: unknown, field = 'expectedCourse'): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${field} must be an object with one list of bands per symptom`];
  const v = value as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(v)) {
    if (!(SYMPTOMS as readonly string[]).includes(key)) errors.push(`${field}.${key} is not a symptom (expected ${SYMPTOMS.join(', ')})`);
  }
  for (const symptom of SYMPTOMS) {
    const bands = v[symptom];
    if (!Array.isArray(bands)) {
      errors.push(`${field}.${symptom} must be a list of { throughDay, max } bands`);
      continue;
    }
    if (bands.length > 20) errors.push(`${field}.${symptom} must have at most 20 bands`);
    let lastDay = -1;
    (bands as unknown[]).forEach((band, i) => {
      const at = `${field}.${symptom}[${i}]`;
      if (!band || typeof band !== 'object' || Array.isArray(band)) return errors.push(`${at} must be { throughDay, max }`);
      const extra = Object.keys(band).filter((k) => k !== 'throughDay' && k !== 'max');
      if (extra.length) errors.push(`${at} has unknown fields: ${extra.join(', ')}`);
      const { throughDay, max } = band as Record<string, unknown>;
      if (!Number.isInteger(throughDay) || (throughDay as number) < 0 || (throughDay as number) > 365) errors.push(`${at}.throughDay must be a whole number of days from 0 to 365`);
      else if ((throughDay as number) <= lastDay) errors.push(`${at}.throughDay must be later than the band before it`);
      else lastDay = throughDay as number;
      if (!Number.isInteger(max) || (max as number) < 0 || (max as number) > MAX_SEVERITY) errors.push(`${at}.max must be a score from 0 to ${MAX_SEVERITY}`);
    });
  }
  return errors;
}
