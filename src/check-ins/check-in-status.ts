/**
 * A check-in's states, and which of them are still open (it may yet be sent or answered).
 * The one definition the planner, the dispatcher, cancellation and the metrics all read.
 */
export const CHECK_IN_STATUSES = ['scheduled', 'sending', 'sent', 'answered', 'expired', 'cancelled', 'failed', 'superseded'] as const;
export type CheckInStatus = (typeof CHECK_IN_STATUSES)[number];

/** Not yet answered, expired, cancelled, failed or superseded. */
export const OPEN_CHECK_IN_STATUSES = ['scheduled', 'sending', 'sent'] as const satisfies readonly CheckInStatus[];

/** `status IN ('scheduled', 'sending', 'sent')` for a check_ins row under `alias` (or unqualified). */
export function openCheckInSql(alias?: string): string {
  const column = alias ? `${alias}.status` : 'status';
  return `${column} IN (${OPEN_CHECK_IN_STATUSES.map((s) => `'${s}'`).join(', ')})`;
}

/** Sent and not yet expired at `now`: the patient's answer is awaited (a reminder may go, an undelivered send is retried). */
export function isAwaitingAnswer(checkIn: { status: string; expiresAt: Date }, now: Date): boolean {
  return checkIn.status === 'sent' && checkIn.expiresAt > now;
}

/** `isAwaitingAnswer` in SQL, for a check_ins row under `alias`, `now` being a parameter such as `$1`. */
export function awaitingAnswerSql(alias: string, now: string): string {
  return `${alias}.status = 'sent' AND ${alias}.expires_at > ${now}`;
}
