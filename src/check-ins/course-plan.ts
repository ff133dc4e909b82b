/**
 * Fitting a new session's planned check-ins into a course already under way. Pure.
 *
 * - At most one check-in per local day for a patient: a planned step on the same local day as
 *   an open check-in is merged into it (the check-in then counts for both sessions).
 * - The late steps (day offset > LATE_STEP_AFTER_DAY: 30, 60, 90) run from the last session of
 *   the course: a new last session supersedes the earlier sessions' late steps not yet sent.
 */
import { DateTime } from 'luxon';
import type { PlannedCheckIn } from './planner';

export const LATE_STEP_AFTER_DAY = 14;

export const isLateStep = (dayOffset: number): boolean => dayOffset > LATE_STEP_AFTER_DAY;

export interface OpenCheckIn {
  id: string;
  dueAt: Date;
  /** When the check-in's owner (its most recent session) was performed; null if unknown. */
  ownerPerformedAt: Date | null;
}

export interface CoursePlan {
  /** New check-in rows for the session. */
  inserts: PlannedCheckIn[];
  /** Steps that join an open check-in; `repoint`: the new session is more recent, so it becomes the owner. */
  merges: Array<{ checkInId: string; planned: PlannedCheckIn; repoint: boolean }>;
}

/** The patient's local calendar day of an instant, e.g. '2026-03-09'. */
export function localDay(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day of an instant as a day number (days since 1970-01-01), through one cached formatter per zone. */
function localDayNumber(at: Date, timeZone: string): number {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.format(at));
  if (!date) throw new RangeError(`Unexpected date format for ${timeZone}`);
  return Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])) / 86_400_000;
}

/**
 * Whole local days from each of many instants to `to` (what localDaysBetween answers), with
 * `to`'s local day computed once: the triage queue asks this for every case of a page.
 */
export function localDaysUntil(to: Date, timeZone: string): (from: Date) => number {
  let today: number;
  try {
    today = localDayNumber(to, timeZone);
  } catch {
    return (from) => localDaysBetween(from, to, timeZone);
  }
  return (from) => {
    try {
      return today - localDayNumber(from, timeZone);
    } catch {
      return localDaysBetween(from, to, timeZone);
    }
  };
}

/** The calendar year in the zone at an instant (the same answer as luxon's zoned `year`). */
export function localYear(at: Date, timeZone: string): number {
  try {
    return new Date(localDayNumber(at, timeZone) * 86_400_000).getUTCFullYear();
  } catch {
    return DateTime.fromJSDate(at, { zone: timeZone }).year;
  }
}

/**
 * Whole local days from one instant to another (the patient's calendar, not 24-hour blocks).
 * The difference of the two local calendar dates: one Intl format per instant (the triage queue
 * computes this for every case on a page; luxon's zoned startOf/diff cost 40× as much).
 */
export function localDaysBetween(from: Date, to: Date, timeZone: string): number {
  try {
    return localDayNumber(to, timeZone) - localDayNumber(from, timeZone);
  } catch {
    const a = DateTime.fromJSDate(from, { zone: timeZone }).startOf('day');
    const b = DateTime.fromJSDate(to, { zone: timeZone }).startOf('day');
    return Math.round(b.diff(a, 'days').days);
  }
}

/**
 * Which planned steps become new check-ins and which join an open one. Expired steps (a session
 * entered late) are records that are never sent: they are inserted as they are. Two planned
 * steps landing on one local day (a send window pushing one over) keep the first.
 */
export function mergeIntoOpen(input: { open: readonly OpenCheckIn[]; planned: readonly PlannedCheckIn[]; performedAt: Date; timeZone: string }): CoursePlan {
  const openByDay = new Map<string, OpenCheckIn>();
  for (const c of [...input.open].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())) {
    const key = localDay(c.dueAt, input.timeZone);
    if (!openByDay.has(key)) openByDay.set(key, c);
  }
  const plannedDays = new Set<string>();
  const plan: CoursePlan = { inserts: [], merges: [] };
  for (const p of input.planned) {
    if (p.status !== 'scheduled') {
      plan.inserts.push(p);
      continue;
    }
    const key = localDay(p.dueAt, input.timeZone);
    const open = openByDay.get(key);
    if (open) {
      const repoint = !open.ownerPerformedAt || input.performedAt.getTime() >= open.ownerPerformedAt.getTime();
      plan.merges.push({ checkInId: open.id, planned: p, repoint });
    } else if (!plannedDays.has(key)) {
      plannedDays.add(key);
      plan.inserts.push(p);
    }
  }
  return plan;
}

/** The earlier sessions' late steps a new last session replaces: still scheduled (not sent), owned by an earlier session of the course. */
export function lateStepsToSupersede(
  checkIns: ReadonlyArray<{ id: string; treatmentId: string; dayOffset: number; status: string }>,
  earlierSessionIds: readonly string[],
): string[] {
  const earlier = new Set(earlierSessionIds);
  return checkIns.filter((c) => c.status === 'scheduled' && earlier.has(c.treatmentId) && isLateStep(c.dayOffset)).map((c) => c.id);
}

/** A session a check-in counts for; `step` null: it covers the session without being one of its steps. */
export interface SessionLink {
  checkInId: string;
  treatmentId: string;
  clinicId: string;
  step: number | null;
  dayOffset: number;
}

/**
 * The sessions each check-in a session planned counts for: that session, at its step; and if
 * the step is a late one, every earlier session of the course too (it replaced theirs), at the
 * local day it falls on for each.
 */
export function linksFor(input: {
  treatment: { id: string; clinicId: string };
  /** The check-ins the session planned or joined: the step it has in each, and when each is due. */
  checkIns: ReadonlyArray<{ checkInId: string; step: number; dayOffset: number; dueAt: Date }>;
  courseEarlier: ReadonlyArray<{ id: string; performedAt: Date }>;
  timeZone: string;
}): SessionLink[] {
  const { treatment } = input;
  return input.checkIns.flatMap((c) => [
    { checkInId: c.checkInId, treatmentId: treatment.id, clinicId: treatment.clinicId, step: c.step, dayOffset: c.dayOffset },
    ...(isLateStep(c.dayOffset)
      ? input.courseEarlier.map((s) => ({ checkInId: c.checkInId, treatmentId: s.id, clinicId: treatment.clinicId, step: null, dayOffset: localDaysBetween(s.performedAt, c.dueAt, input.timeZone) }))
      : []),
  ]);
}

/** Who owns a check-in: a session, and the check-in's step and day in it. */
export interface CheckInOwnership {
  treatmentId: string;
  step: number;
  dayOffset: number;
}

/**
 * What becomes of an open check-in when a session it counts for is cancelled. It stays (`keep`)
 * if it still counts for another active session: owned by one, or, when the cancelled session
 * owned it and it is not a late step, handed to the most recent other active session whose step
 * it is (`newOwner`). Otherwise it is cancelled; late steps are planned again by the caller.
 */
export function fateOnCancel(input: {
  checkIn: { owner: string; dayOffset: number };
  cancelledId: string;
  /** The check-in's links to sessions other than the cancelled one. */
  otherLinks: ReadonlyArray<{ treatmentId: string; step: number | null; dayOffset: number }>;
  /** When each still-active session was performed (ms), the cancelled one excluded. */
  activePerformedAt: ReadonlyMap<string, number>;
}): { keep: false } | { keep: true; newOwner: CheckInOwnership | null } {
  const { checkIn, cancelledId, activePerformedAt } = input;
  if (checkIn.owner !== cancelledId) return activePerformedAt.has(checkIn.owner) ? { keep: true, newOwner: null } : { keep: false };
  if (isLateStep(checkIn.dayOffset)) return { keep: false };
  const heir = input.otherLinks
    .filter((l): l is CheckInOwnership => l.step !== null && activePerformedAt.has(l.treatmentId))
    .sort((a, b) => activePerformedAt.get(b.treatmentId)! - activePerformedAt.get(a.treatmentId)!)[0];
  return heir ? { keep: true, newOwner: { treatmentId: heir.treatmentId, step: heir.step, dayOffset: heir.dayOffset } } : { keep: false };
}
