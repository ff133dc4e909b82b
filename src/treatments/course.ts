/**
 * A course of sessions: mesotherapy is given as 10–25 sessions, usually 1–2 weeks apart, so
 * the follow-ups of consecutive sessions overlap. Pure functions of the sessions and a time.
 *
 * "Same course": an active session of the same patient, for the same procedure and protocol
 * key (a scalp treatment does not end a body course), performed at most COURSE_GAP_DAYS after
 * the one before it. 28 days is twice the longest usual interval (2 weeks), or the end of the
 * early follow-up (day 14) plus two weeks' grace for a missed appointment; a longer break
 * starts a new course, whose sessions keep their own late steps. One check-in a day holds
 * across courses all the same (merging goes by the patient's day).
 */
export const COURSE_GAP_DAYS = 28;
const GAP_MS = COURSE_GAP_DAYS * 86_400_000;

export interface Session {
  id: string;
  performedAt: Date;
  procedure?: string;
  protocolKey?: string;
}

/** Whether two sessions can be of one course: the same procedure and protocol key. */
export function sameKind(a: Session, b: Session): boolean {
  return (a.procedure ?? '').trim().toLowerCase() === (b.procedure ?? '').trim().toLowerCase() && a.protocolKey === b.protocolKey;
}

/**
 * The sessions (oldest first) of the course running at `at`: the last session performed by then
 * (of the kind of `of` when given) and the sessions of its kind chained to it.
 */
export function courseSessionsAt<T extends Session>(sessions: readonly T[], at: Date, of?: Session): T[] {
  let before = sessions.filter((s) => s.performedAt.getTime() <= at.getTime() && (!of || sameKind(s, of))).sort(byPerformedAt);
  if (!before.length) return [];
  const last = before[before.length - 1];
  before = before.filter((s) => sameKind(s, last));
  let start = before.length - 1;
  while (start > 0 && before[start].performedAt.getTime() - before[start - 1].performedAt.getTime() <= GAP_MS) start--;
  return before.slice(start);
}

/** Whether no session of the same course comes after this one (a back-filled session may be older than the latest). */
export function isLastOfCourse<T extends Session>(sessions: readonly T[], session: T): boolean {
  const t = session.performedAt.getTime();
  return !sessions.some((s) => s.id !== session.id && sameKind(s, session) && s.performedAt.getTime() >= t && s.performedAt.getTime() - t <= GAP_MS && !(s.performedAt.getTime() === t && s.id < session.id));
}

function byPerformedAt(a: Session, b: Session): number {
  return a.performedAt.getTime() - b.performedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
