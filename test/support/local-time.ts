import { DateTime } from 'luxon';
import type { SendWindow } from '../../src/check-ins/planner';

/** Local wall-clock time for the planner's unit specs: instants given and read in a zone, and the send windows they use. */

export const DAY_WINDOW: SendWindow = { start: '09:00', end: '20:00' };
export const NIGHT_WINDOW: SendWindow = { start: '22:00', end: '06:00' };

/** An instant given as local wall-clock time in a zone, e.g. at('2026-03-20T14:00', 'Europe/Berlin'). */
export function at(localIso: string, zone: string): Date {
  const dt = DateTime.fromISO(localIso, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${localIso}`);
  return dt.toJSDate();
}

/** The instant as local wall-clock time in the zone, to the minute. */
export function localClock(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}
