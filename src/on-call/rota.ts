/**
 * Who is on call at an instant, from a clinic's weekly rota. Pure: times are local wall-clock
 * times in the clinic's zone, so a shift keeps its hours across daylight-saving changes.
 */
import { DateTime } from 'luxon';

/** One weekly shift: ISO weekday (1 = Monday … 7 = Sunday), local 'HH:mm' bounds. */
export interface Shift {
  staffUserId: string;
  weekday: number;
  /** 'HH:mm', 00:00–23:59. */
  start: string;
  /** 'HH:mm', 00:00–24:00; earlier than start means the shift runs past midnight into the next day. */
  end: string;
}

const START = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

export function minutesOf(time: string): number {
  const m = /^(\d\d):(\d\d)/.exec(time);
  if (!m) throw new Error(`Not a local time: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** What is wrong with a shift, as messages naming the field; empty when it is valid. */
export function shiftErrors(s: Shift, index: number): string[] {
  const at = `shifts[${index}]`;
  const errors: string[] = [];
  if (!Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7) errors.push(`${at}.weekday must be 1 (Monday) to 7 (Sunday)`);
  const startOk = typeof s.start === 'string' && START.test(s.start);
  const endOk = typeof s.end === 'string' && END.test(s.end);
  if (!startOk) errors.push(`${at}.start must be a local time HH:mm (00:00–23:59)`);
  if (!endOk) errors.push(`${at}.end must be a local time HH:mm (00:00–24:00)`);
  if (startOk && endOk && minutesOf(s.start) === minutesOf(s.end) % (24 * 60) && !(s.start === '00:00' && s.end === '24:00')) {
    errors.push(`${at}: start and end must differ (a whole day is 00:00–24:00)`);
  }
  return errors;
}

/** The shift covers this local weekday and minute of the day. */
export function covers(s: Shift, weekday: number, minute: number): boolean {
  const start = minutesOf(s.start);
  const end = minutesOf(s.end);
  if (start < end) return s.weekday === weekday && minute >= start && minute < end;
  // Wraps midnight: from start on its weekday to end on the next one.
  const next = (s.weekday % 7) + 1;
  return (s.weekday === weekday && minute >= start) || (next === weekday && minute < end);
}

/** Staff ids on call at `at` in `timeZone`, each once, in rota order. */
export function onCallAt(shifts: Shift[], timeZone: string, at: Date): string[] {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const minute = local.hour * 60 + local.minute;
  const ids: string[] = [];
  for (const s of shifts) {
    if (covers(s, local.weekday, minute) && !ids.includes(s.staffUserId)) ids.push(s.staffUserId);
  }
  return ids;
}

/** One order for a rota, so the same shifts given in another order are the same rota. */
export function sortShifts(shifts: Shift[]): Shift[] {
  const key = (s: Shift) => `${s.weekday}|${s.start}|${s.end}|${s.staffUserId}`;
  return [...shifts].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
