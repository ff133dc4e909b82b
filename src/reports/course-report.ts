/**
 * What a clinic's patients really go through after a procedure and product: per check-in day,
 * who has each symptom and who is above the expected course; per symptom, how long it lasted
 * against the expected window. Pure: the service reads the answers, this counts them.
 */
import { ExpectedCourse, expectedMax, windowEnd } from '../protocols/expected-course';
import { Symptom, SYMPTOMS, WARNING_SIGNS, WarningSign } from '../protocols/questions';

export interface CourseAnswer {
  treatmentId: string;
  /** The first session of the treatment's course (the treatment itself when it stands alone). */
  courseId: string;
  /** When the treatment (this session) was performed. */
  performedAt: Date;
  patientId: string;
  procedure: string;
  product: string;
  /** The protocol step's day offset (days since treatment when the answer came outside a check-in). */
  day: number;
  receivedAt: Date;
  /** Null: the answer had no scores (a warning sign only). */
  scores: Record<Symptom, number | null>;
  /** The expected course of the treatment's own protocol version. */
  course: ExpectedCourse;
  /** Warning signs the answer reported (yes). */
  warningSigns: string[];
}

/** The warning signs that can mean an infection (early: fever, pus, spreading redness; late: a new hard lump). */
export const INFECTION_SIGNS: WarningSign[] = ['fever', 'discharge', 'spreading_redness', 'new_lump'];

export interface CourseWarningSigns {
  /** Courses with at least one answer. */
  courses: number;
  /** Courses that reported any warning sign at least once. */
  withAny: number;
  /** Courses that reported a sign of infection (INFECTION_SIGNS) at least once. */
  withInfectionSign: number;
  shareInfectionSign: number | null;
  /** Courses that reported each sign at least once. */
  bySign: Record<WarningSign, number>;
}

export interface SymptomAtStep {
  /** Courses that scored this symptom on this day. */
  answered: number;
  withSymptom: number;
  /** withSymptom / answered; null when nobody answered. */
  share: number | null;
  aboveExpected: number;
  shareAboveExpected: number | null;
  /** The usual maximum on this day; null when the protocols in the group disagree (each answer is judged by its own). */
  expectedMax: number | null;
}

export interface CourseStep {
  day: number;
  /** Treatment courses with an answer on this day (one per course, the latest score per symptom). */
  answering: number;
  patients: number;
  symptoms: Record<Symptom, SymptomAtStep>;
  /** Courses with at least one symptom above the expected course on this day. */
  anyAboveExpected: number;
  shareAnyAboveExpected: number | null;
}

/**
 * How long a symptom lasted, per course of sessions: counted from the session after which it
 * began, on across later sessions of the course while it did not clear (a new session does not
 * restart the count); a symptom that cleared (scored 0) and came back starts a new episode, and
 * the course's longest episode is the one counted.
 */
export interface SymptomDuration {
  /** Courses that scored this symptom at least once. */
  courses: number;
  /** Courses that reported it above 0 at least once. */
  withSymptom: number;
  /** Of those, the last day it was reported above 0: median and 90th percentile (nearest rank); null when none. */
  lastDayMedian: number | null;
  lastDayP90: number | null;
  lastDayMax: number | null;
  /** The last day the symptom is usual (windowEnd); null when the protocols in the group disagree, -1 when never usual. */
  expectedWindowEnd: number | null;
  /** Courses whose last day with the symptom is after their own protocol's window. */
  beyondWindow: number;
  shareBeyondWindow: number | null;
}

export interface CourseGroup {
  procedure: string;
  product: string;
  treatments: number;
  patients: number;
  steps: CourseStep[];
  durations: Record<Symptom, SymptomDuration>;
  warningSigns: CourseWarningSigns;
}

/** Median (mean of the two middle values for an even count). */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in (0, 1]): the smallest value with at least p of the values at or below it. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}

const DAY_MS = 86_400_000;

function share(part: number, whole: number): number | null {
  return whole ? part / whole : null;
}

function uniform<T>(values: T[]): T | null {
  return values.length && values.every((v) => v === values[0]) ? values[0] : null;
}

/** Per course and day, the latest score given for each symptom. */
function mergeByCourseAndDay(answers: CourseAnswer[]) {
  const sorted = [...answers].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const byKey = new Map<string, { a: CourseAnswer; scores: Partial<Record<Symptom, number>> }>();
  for (const a of sorted) {
    const key = `${a.treatmentId}|${a.day}`;
    const entry = byKey.get(key) ?? { a, scores: {} };
    for (const s of SYMPTOMS) if (a.scores[s] !== null && a.scores[s] !== undefined) entry.scores[s] = a.scores[s]!;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

export function courseReport(answers: CourseAnswer[]): CourseGroup[] {
  const groups = new Map<string, CourseAnswer[]>();
  for (const a of answers) {
    const key = JSON.stringify([a.procedure, a.product]);
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, list]) => groupReport(list));
}

function groupReport(answers: CourseAnswer[]): CourseGroup {
  const merged = mergeByCourseAndDay(answers);
  const courseOf = new Map(answers.map((a) => [a.treatmentId, a.course]));
  const days = [...new Set(merged.map((e) => e.a.day))].sort((a, b) => a - b);
  const steps: CourseStep[] = days.map((day) => {
    const atDay = merged.filter((e) => e.a.day === day);
    const symptoms = {} as Record<Symptom, SymptomAtStep>;
    const above = new Set<string>();
    for (const s of SYMPTOMS) {
      const scored = atDay.filter((e) => e.scores[s] !== undefined);
      const withSymptom = scored.filter((e) => e.scores[s]! > 0).length;
      const aboveHere = scored.filter((e) => e.scores[s]! > expectedMax(e.a.course, s, day));
      aboveHere.forEach((e) => above.add(e.a.treatmentId));
      symptoms[s] = {
        answered: scored.length,
        withSymptom,
        share: share(withSymptom, scored.length),
        aboveExpected: aboveHere.length,
        shareAboveExpected: share(aboveHere.length, scored.length),
        expectedMax: uniform(atDay.map((e) => expectedMax(e.a.course, s, day))),
      };
    }
    const answering = atDay.filter((e) => Object.keys(e.scores).length > 0);
    return {
      day,
      answering: answering.length,
      patients: new Set(answering.map((e) => e.a.patientId)).size,
      symptoms,
      anyAboveExpected: above.size,
      shareAnyAboveExpected: share(above.size, answering.length),
    };
  });
  const durations = {} as Record<Symptom, SymptomDuration>;
  const treatmentIds = [...courseOf.keys()];
  const byCourse = new Map<string, typeof merged>();
  for (const e of [...merged].sort((x, y) => x.a.performedAt.getTime() - y.a.performedAt.getTime() || x.a.day - y.a.day || x.a.receivedAt.getTime() - y.a.receivedAt.getTime())) {
    byCourse.set(e.a.courseId, [...(byCourse.get(e.a.courseId) ?? []), e]);
  }
  for (const s of SYMPTOMS) {
    const scoredCourses = new Set<string>();
    /** Per course, its longest episode: the last day (from the session it began after) and that session's window. */
    const longest = new Map<string, { lastDay: number; windowEnd: number }>();
    for (const [courseId, entries] of byCourse) {
      let start: CourseAnswer | null = null;
      for (const e of entries) {
        const score = e.scores[s];
        if (score === undefined) continue;
        scoredCourses.add(courseId);
        if (score === 0) {
          start = null;
          continue;
        }
        start ??= e.a;
        const lastDay = e.a.day + Math.round((e.a.performedAt.getTime() - start.performedAt.getTime()) / DAY_MS);
        const known = longest.get(courseId);
        if (!known || lastDay > known.lastDay) longest.set(courseId, { lastDay, windowEnd: windowEnd(courseOf.get(start.treatmentId)!, s) });
      }
    }
    const lasts = [...longest.values()].map((l) => l.lastDay);
    const beyond = [...longest.values()].filter((l) => l.lastDay > l.windowEnd).length;
    durations[s] = {
      courses: scoredCourses.size,
      withSymptom: longest.size,
      lastDayMedian: median(lasts),
      lastDayP90: percentile(lasts, 0.9),
      lastDayMax: lasts.length ? Math.max(...lasts) : null,
      expectedWindowEnd: uniform(treatmentIds.map((t) => windowEnd(courseOf.get(t)!, s))),
      beyondWindow: beyond,
      shareBeyondWindow: share(beyond, longest.size),
    };
  }
  const signsOf = new Map<string, Set<string>>();
  for (const a of answers) {
    const set = signsOf.get(a.treatmentId) ?? new Set<string>();
    for (const w of a.warningSigns ?? []) set.add(w);
    signsOf.set(a.treatmentId, set);
  }
  const sets = [...signsOf.values()];
  const withInfectionSign = sets.filter((set) => INFECTION_SIGNS.some((w) => set.has(w))).length;
  const warningSigns: CourseWarningSigns = {
    courses: sets.length,
    withAny: sets.filter((set) => set.size > 0).length,
    withInfectionSign,
    shareInfectionSign: share(withInfectionSign, sets.length),
    bySign: Object.fromEntries(WARNING_SIGNS.map((w) => [w, sets.filter((set) => set.has(w)).length])) as Record<WarningSign, number>,
  };
  return {
    procedure: answers[0].procedure,
    product: answers[0].product,
    treatments: treatmentIds.length,
    patients: new Set(answers.map((a) => a.patientId)).size,
    steps,
    durations,
    warningSigns,
  };
}
