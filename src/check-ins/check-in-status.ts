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
