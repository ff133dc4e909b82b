/**
 * Turns a treatment and its protocol into dated check-ins. Pure: the caller passes "now",
 * so the same input always plans the same messages.
 */
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../common/time-zone';

/** Local 'HH:mm' bounds, e.g. 09:00–20:00: messages may only go out inside it. Start > end wraps midnight. */
export interface SendWindow {
  start: string;
  end: string;
}

/** A protocol's timing for one patient's session: when in their day a check-in goes, how long it stays open, whether it is reminded. */
export interface CheckInTiming {
  /** When the treatment was done (UTC instant). */
  performedAt: Date;
  /** IANA zone of the patient (the caller falls back to the clinic's). */
  timeZone: string;
  /** Local 'HH:mm' the check-in should go out, e.g. '10:00'. */
  sendTime: string;
  sendWindow: SendWindow;
  /** A check-in expires this many hours after its due time. */
  expiryHours: number;
  /** One reminder this many hours after due if unanswered; null: the protocol sends no reminder. */
  reminderAfterHours: number | null;
}

export interface PlanInput extends CheckInTiming {
  /** Protocol steps in days after treatment, e.g. [1, 3, 7, 14, 30, 60]. */
  dayOffsets: number[];
  now: Date;
}

export interface PlannedCheckIn {
  /** 1-based position in the protocol. */
  step: number;
  dayOffset: number;
  dueAt: Date;
  expiresAt: Date;
  remindAt: Date | null;
  status: 'scheduled' | 'expired';
}

interface ClockTime {
  hour: number;
  minute: number;
}

const HOUR_MS = 3_600_000;

/** Re-exported: the one check lives in common (validators and clinics use it too). */
export { isValidTimeZone };

/** `at` itself if it falls inside the window (local clock), else the window's next opening in that zone. */
export function nextSendTime(at: Date, timeZone: string, window: SendWindow): Date {
  assertTimeZone(timeZone);
  assertInstant(at, 'at');
  const start = parseClockTime(window.start, 'sendWindow.start');
  const end = parseClockTime(window.end, 'sendWindow.end');
  assertWindowHasLength(start, end);

  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const clock = minutesIntoDay(local);
  if (isInsideWindow(clock, minutesOf(start), minutesOf(end))) return at;

  // Outside the window the next opening is today unless we're already past today's close.
  const opensToday = clock < minutesOf(start);
  const day = local.startOf('day').plus({ days: opensToday ? 0 : 1 });
  return openingOn(day, start, local).toJSDate();
}

export function planCheckIns(input: PlanInput): PlannedCheckIn[] {
  assertTimeZone(input.timeZone);
  assertInstant(input.performedAt, 'performedAt');
  assertInstant(input.now, 'now');
  assertHours(input.expiryHours, 'expiryHours', { allowZero: false });
  if (input.reminderAfterHours !== null) assertHours(input.reminderAfterHours, 'reminderAfterHours', { allowZero: true });
  const sendAt = parseClockTime(input.sendTime, 'sendTime');
  assertWindowHasLength(
    parseClockTime(input.sendWindow.start, 'sendWindow.start'),
    parseClockTime(input.sendWindow.end, 'sendWindow.end'),
  );

  // Day counting uses the patient's calendar, not UTC: "day 1" is the day after *their* treatment day.
  const treatmentDay = DateTime.fromJSDate(input.performedAt, { zone: input.timeZone }).startOf('day');

  return input.dayOffsets.map((dayOffset, index) => {
    assertDayOffset(dayOffset);
    const wallClockDue = treatmentDay
      .plus({ days: dayOffset })
      .set({ ...sendAt, second: 0, millisecond: 0 });
    const plannedDue = nextSendTime(wallClockDue.toJSDate(), input.timeZone, input.sendWindow);
    const expiresAt = addHours(plannedDue, input.expiryHours);
    const step = index + 1;
    const expired = (): PlannedCheckIn => ({
      step,
      dayOffset,
      dueAt: plannedDue,
      expiresAt,
      remindAt: null,
      status: 'expired',
    });

    if (expiresAt <= input.now) return expired();

    // Recorded late: the missed send goes out as soon as the window allows, within the original expiry.
    const dueAt =
      plannedDue < input.now ? nextSendTime(input.now, input.timeZone, input.sendWindow) : plannedDue;
    if (dueAt >= expiresAt) return expired();

    const remindAt = reminderFor(dueAt, expiresAt, input);
    return { step, dayOffset, dueAt, expiresAt, remindAt, status: 'scheduled' };
  });
}

/** A reminder is only worth sending if the protocol has one and it can go out (inside the window) before the check-in expires. */
function reminderFor(dueAt: Date, expiresAt: Date, input: PlanInput): Date | null {
  if (input.reminderAfterHours === null) return null;
  const naive = addHours(dueAt, input.reminderAfterHours);
  if (naive >= expiresAt) return null;
  const remindAt = nextSendTime(naive, input.timeZone, input.sendWindow);
  return remindAt < expiresAt ? remindAt : null;
}

function isInsideWindow(clock: number, start: number, end: number): boolean {
  // End is exclusive: a 09:00–20:00 window is closed at 20:00 sharp.
  return start < end ? clock >= start && clock < end : clock >= start || clock < end;
}

/**
 * The window's opening on `day`. Luxon shifts a nonexistent (spring-forward) time forward, which is
 * what we want; an ambiguous (fall-back) time may resolve to the earlier occurrence that is already
 * behind us, so then we take the repeated one, and never return something before `notBefore`.
 */
function openingOn(day: DateTime, start: ClockTime, notBefore: DateTime): DateTime {
  const opening = day.set({ ...start, second: 0, millisecond: 0 });
  if (opening >= notBefore) return opening;
  const repeated = opening.plus({ minutes: opening.offset - notBefore.offset });
  return repeated >= notBefore ? repeated : notBefore;
}

function minutesIntoDay(local: DateTime): number {
  return local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
}

function minutesOf(time: ClockTime): number {
  return time.hour * 60 + time.minute;
}

function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR_MS);
}

function parseClockTime(value: string, field: string): ClockTime {
  const match = typeof value === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value) : null;
  if (!match) {
    throw new Error(`${field} must be a local time 'HH:mm' (00:00–23:59), got ${JSON.stringify(value)}`);
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function assertWindowHasLength(start: ClockTime, end: ClockTime): void {
  // Equal bounds could mean "never" or "always"; refuse rather than guess.
  if (minutesOf(start) === minutesOf(end)) throw new Error('sendWindow start and end must differ');
}

function assertTimeZone(zone: string): void {
  if (!isValidTimeZone(zone)) {
    throw new Error(`Invalid time zone: ${JSON.stringify(zone)} (expected an IANA zone such as 'Europe/Berlin')`);
  }
}

function assertInstant(at: Date, field: string): void {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new Error(`${field} must be a valid Date`);
}

function assertHours(hours: number, field: string, { allowZero }: { allowZero: boolean }): void {
  const ok = Number.isFinite(hours) && (allowZero ? hours >= 0 : hours > 0);
  if (!ok) {
    throw new Error(`${field} must be a ${allowZero ? 'non-negative' : 'positive'} number of hours, got ${hours}`);
  }
}

function assertDayOffset(dayOffset: number): void {
  if (!Number.isInteger(dayOffset) || dayOffset < 0) {
    throw new Error(`dayOffsets must be whole days >= 0, got ${dayOffset}`);
  }
}

/**
 * Seconds from `at` until the send window closes in that zone: an SMS carries this as its
 * validity period, so one stuck with the carrier expires instead of arriving at night.
 */
export function secondsUntilWindowCloses(at: Date, timeZone: string, window: SendWindow): number {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const [hour, minute] = window.end.split(':').map(Number);
  let end = local.set({ hour, minute, second: 0, millisecond: 0 });
  if (end <= local) end = end.plus({ days: 1 });
  return Math.max(0, Math.round((end.toMillis() - at.getTime()) / 1000));
}
