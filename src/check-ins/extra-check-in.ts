/**
 * One extra check-in a practitioner asks for from a flag: N days from now at the protocol's send
 * time in the patient's zone, moved into the send window. Pure: the caller passes "now".
 */
import { DateTime } from 'luxon';
import { CheckInTiming, isValidTimeZone, nextSendTime } from './planner';

/** `performedAt`: the check-in asks about "N days after your treatment". */
export interface ExtraCheckInInput extends CheckInTiming {
  now: Date;
  /** Whole days from today (the patient's calendar), 1–90. */
  inDays: number;
}

export interface PlannedExtraCheckIn {
  dueAt: Date;
  expiresAt: Date;
  remindAt: Date | null;
  /** Days since the treatment on the patient's calendar, for the message. */
  dayOffset: number;
  /** The patient's local day it goes out on, as [start, end) instants: at most one check-in a day. */
  day: { start: Date; end: Date; date: string };
}

export function planExtraCheckIn(input: ExtraCheckInInput): PlannedExtraCheckIn {
  if (!Number.isInteger(input.inDays) || input.inDays < 1 || input.inDays > 90) throw new Error(`inDays must be a whole number 1–90, got ${input.inDays}`);
  if (!isValidTimeZone(input.timeZone)) throw new Error(`Invalid time zone: ${JSON.stringify(input.timeZone)}`);
  const [hour, minute] = input.sendTime.slice(0, 5).split(':').map(Number);
  const wallClock = DateTime.fromJSDate(input.now, { zone: input.timeZone })
    .startOf('day')
    .plus({ days: input.inDays })
    .set({ hour, minute, second: 0, millisecond: 0 });
  const dueAt = nextSendTime(wallClock.toJSDate(), input.timeZone, input.sendWindow);
  const expiresAt = new Date(dueAt.getTime() + input.expiryHours * 3_600_000);
  const naiveReminder = input.reminderAfterHours === null ? null : new Date(dueAt.getTime() + input.reminderAfterHours * 3_600_000);
  const reminder = naiveReminder && naiveReminder < expiresAt ? nextSendTime(naiveReminder, input.timeZone, input.sendWindow) : null;
  const localDay = DateTime.fromJSDate(dueAt, { zone: input.timeZone }).startOf('day');
  const treatmentDay = DateTime.fromJSDate(input.performedAt, { zone: input.timeZone }).startOf('day');
  return {
    dueAt,
    expiresAt,
    remindAt: reminder && reminder < expiresAt ? reminder : null,
    dayOffset: Math.max(0, Math.round(localDay.diff(treatmentDay, 'days').days)),
    day: { start: localDay.toJSDate(), end: localDay.plus({ days: 1 }).toJSDate(), date: localDay.toISODate()! },
  };
}
