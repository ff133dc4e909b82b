import { PlanInput, planCheckIns } from './planner';
import { at, DAY_WINDOW, localClock, NIGHT_WINDOW } from '../../test/support/local-time';

const HOUR_MS = 3_600_000;

function plan(overrides: Partial<PlanInput>): ReturnType<typeof planCheckIns> {
  return planCheckIns({
    performedAt: at('2026-04-10T12:00', 'Europe/Berlin'),
    timeZone: 'Europe/Berlin',
    dayOffsets: [1],
    sendTime: '10:00',
    sendWindow: DAY_WINDOW,
    expiryHours: 48,
    reminderAfterHours: 24,
    now: at('2026-04-10T12:05', 'Europe/Berlin'),
    ...overrides,
  });
}

describe('planCheckIns', () => {
  describe('due times follow the patient’s local clock', () => {
    it('plans every protocol step at sendTime local, numbered from 1, with expiry and reminder', () => {
      const performedAt = at('2026-03-20T14:00', 'Europe/Berlin');
      const steps = plan({ performedAt, now: performedAt, dayOffsets: [1, 3, 7, 14, 30, 60] });

      expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(steps.map((s) => s.dayOffset)).toEqual([1, 3, 7, 14, 30, 60]);
      expect(steps.map((s) => localClock(s.dueAt, 'Europe/Berlin'))).toEqual([
        '2026-03-21T10:00',
        '2026-03-23T10:00',
        '2026-03-27T10:00',
        '2026-04-03T10:00',
        '2026-04-19T10:00',
        '2026-05-19T10:00',
      ]);
      for (const s of steps) {
        expect(s.status).toBe('scheduled');
        expect(s.expiresAt.getTime() - s.dueAt.getTime()).toBe(48 * HOUR_MS);
        expect(s.remindAt?.getTime()).toBe(s.dueAt.getTime() + 24 * HOUR_MS);
      }
    });

    it('Berlin: stays 10:00 local on both sides of the 2026-03-29 spring-forward, one UTC hour apart', () => {
      const [beforeChange] = plan({
        performedAt: at('2026-03-20T14:00', 'Europe/Berlin'),
        now: at('2026-03-20T14:00', 'Europe/Berlin'),
        dayOffsets: [7],
      });
      const [afterChange] = plan({
        performedAt: at('2026-03-28T14:00', 'Europe/Berlin'),
        now: at('2026-03-28T14:00', 'Europe/Berlin'),
        dayOffsets: [1, 7],
      });

      expect(beforeChange.dueAt.toISOString()).toBe('2026-03-27T09:00:00.000Z'); // CET, UTC+1
      expect(afterChange.dueAt.toISOString()).toBe('2026-03-29T08:00:00.000Z'); // CEST, UTC+2
      expect(localClock(beforeChange.dueAt, 'Europe/Berlin')).toBe('2026-03-27T10:00');
      expect(localClock(afterChange.dueAt, 'Europe/Berlin')).toBe('2026-03-29T10:00');
      expect(beforeChange.dueAt.getUTCHours() - afterChange.dueAt.getUTCHours()).toBe(1);
    });

    it('Berlin: a step whose days straddle the change is still 10:00 local (not 24h multiples)', () => {
      const [dayOne, daySeven] = plan({
        performedAt: at('2026-03-25T14:00', 'Europe/Berlin'),
        now: at('2026-03-25T14:00', 'Europe/Berlin'),
        dayOffsets: [1, 7],
      });
      expect(dayOne.dueAt.toISOString()).toBe('2026-03-26T09:00:00.000Z');
      expect(daySeven.dueAt.toISOString()).toBe('2026-04-01T08:00:00.000Z');
      // Six calendar days apart but one hour short of 6 × 24h.
      expect(daySeven.dueAt.getTime() - dayOne.dueAt.getTime()).toBe((6 * 24 - 1) * HOUR_MS);
    });

    it('New York: stays 10:00 local across the 2026-11-01 fall-back; expiry is absolute hours', () => {
      const performedAt = at('2026-10-30T15:00', 'America/New_York');
      const steps = plan({ performedAt, now: performedAt, timeZone: 'America/New_York', dayOffsets: [1, 2, 3] });

      expect(steps.map((s) => s.dueAt.toISOString())).toEqual([
        '2026-10-31T14:00:00.000Z', // EDT, UTC-4
        '2026-11-01T15:00:00.000Z', // EST, UTC-5 (change was at 02:00 that morning)
        '2026-11-02T15:00:00.000Z',
      ]);
      expect(steps.map((s) => localClock(s.dueAt, 'America/New_York'))).toEqual([
        '2026-10-31T10:00',
        '2026-11-01T10:00',
        '2026-11-02T10:00',
      ]);
      // 48 absolute hours after Sat 10:00 EDT is Mon 09:00 EST, not 10:00.
      expect(steps[0].expiresAt.toISOString()).toBe('2026-11-02T14:00:00.000Z');
      expect(localClock(steps[0].expiresAt, 'America/New_York')).toBe('2026-11-02T09:00');
    });

    it('Sydney: counts days from the local treatment date even when the UTC date is a day earlier', () => {
      // 22:30Z on 10 Feb is 09:30 on 11 Feb in Sydney (AEDT, UTC+11).
      const performedAt = new Date('2026-02-10T22:30:00Z');
      const [dayOne] = plan({ performedAt, now: performedAt, timeZone: 'Australia/Sydney', dayOffsets: [1] });

      expect(localClock(dayOne.dueAt, 'Australia/Sydney')).toBe('2026-02-12T10:00');
      expect(dayOne.dueAt.toISOString()).toBe('2026-02-11T23:00:00.000Z');
    });

    it('a day-0 step is later the same local day', () => {
      const performedAt = at('2026-04-10T08:00', 'Europe/Berlin');
      const [dayZero] = plan({ performedAt, now: performedAt, dayOffsets: [0] });
      expect(localClock(dayZero.dueAt, 'Europe/Berlin')).toBe('2026-04-10T10:00');
    });
  });

  describe('send window', () => {
    it('moves a sendTime before the window (07:00) to the window opening (09:00)', () => {
      const [step] = plan({ sendTime: '07:00', dayOffsets: [1] });
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-04-11T09:00');
      expect(step.expiresAt.getTime() - step.dueAt.getTime()).toBe(48 * HOUR_MS);
    });

    it('moves a sendTime after the window (21:00) to the next morning', () => {
      const [step] = plan({ sendTime: '21:00', dayOffsets: [1] });
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-04-12T09:00');
    });

    it('moves a sendTime of exactly the window end (20:00) to the next morning: the end is exclusive', () => {
      const [step] = plan({ sendTime: '20:00', dayOffsets: [1] });
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-04-12T09:00');
    });

    it('with a window wrapping midnight (22:00–06:00), a 10:00 sendTime goes out at 22:00 that day', () => {
      const [step] = plan({ sendWindow: NIGHT_WINDOW, dayOffsets: [1] });
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-04-11T22:00');
    });

    it('with a window wrapping midnight, an early-morning sendTime inside it is kept', () => {
      const [step] = plan({ sendWindow: NIGHT_WINDOW, sendTime: '05:30', dayOffsets: [1] });
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-04-11T05:30');
    });
  });

  describe('reminders', () => {
    it('moves a reminder landing at 21:30 local to 09:00 the next day', () => {
      const [step] = plan({ sendTime: '19:30', reminderAfterHours: 2, expiryHours: 48 });
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-04-11T19:30');
      expect(step.remindAt).not.toBeNull();
      expect(localClock(step.remindAt!, 'Europe/Berlin')).toBe('2026-04-12T09:00');
      expect(step.remindAt!.toISOString()).toBe('2026-04-12T07:00:00.000Z');
    });

    it('drops a reminder that would only fit in the window after the check-in expired', () => {
      // Due 19:30, expires 07:30 next day; the 21:30 reminder could only go at 09:00.
      const [step] = plan({ sendTime: '19:30', reminderAfterHours: 2, expiryHours: 12 });
      expect(step.status).toBe('scheduled');
      expect(localClock(step.expiresAt, 'Europe/Berlin')).toBe('2026-04-12T07:30');
      expect(step.remindAt).toBeNull();
    });

    it('has no reminder when the protocol has none (reminderAfterHours null)', () => {
      const [step] = plan({ reminderAfterHours: null });
      expect(step.status).toBe('scheduled');
      expect(step.remindAt).toBeNull();
    });

    it('has no reminder when it is not before expiry', () => {
      expect(plan({ reminderAfterHours: 48, expiryHours: 48 })[0].remindAt).toBeNull();
      expect(plan({ reminderAfterHours: 72, expiryHours: 48 })[0].remindAt).toBeNull();
    });

    it('keeps a reminder that is inside the window and before expiry unchanged', () => {
      const [step] = plan({ reminderAfterHours: 3 });
      expect(localClock(step.remindAt!, 'Europe/Berlin')).toBe('2026-04-11T13:00');
    });
  });

  describe('late entry (treatment recorded after some due times)', () => {
    // Treatment Fri 2026-04-10; day 1 due Sat 10:00 (expires Mon 10:00), day 3 due Mon 10:00 (expires Wed 10:00).
    const lateBase: Partial<PlanInput> = {
      performedAt: at('2026-04-10T12:00', 'Europe/Berlin'),
      dayOffsets: [1, 3],
    };

    it('expires steps whose expiry has passed and sends the open one at once during the day', () => {
      const now = at('2026-04-14T12:00', 'Europe/Berlin'); // 4 days after
      const [first, third] = plan({ ...lateBase, now });

      expect(first.status).toBe('expired');
      expect(localClock(first.dueAt, 'Europe/Berlin')).toBe('2026-04-11T10:00');
      expect(localClock(first.expiresAt, 'Europe/Berlin')).toBe('2026-04-13T10:00');
      expect(first.remindAt).toBeNull();

      expect(third.status).toBe('scheduled');
      expect(third.dueAt.getTime()).toBe(now.getTime());
      expect(localClock(third.expiresAt, 'Europe/Berlin')).toBe('2026-04-15T10:00'); // original expiry kept
      expect(third.remindAt).toBeNull(); // now + 24h would be after expiry
    });

    it('sends the open step at the next window opening when "now" is at night', () => {
      const now = at('2026-04-14T23:30', 'Europe/Berlin');
      const [first, third] = plan({ ...lateBase, now });

      expect(first.status).toBe('expired');
      expect(third.status).toBe('scheduled');
      expect(localClock(third.dueAt, 'Europe/Berlin')).toBe('2026-04-15T09:00');
      expect(localClock(third.expiresAt, 'Europe/Berlin')).toBe('2026-04-15T10:00');
    });

    it('recomputes the reminder from the new due time', () => {
      const now = at('2026-04-14T12:00', 'Europe/Berlin');
      const [, third] = plan({ ...lateBase, now, expiryHours: 72 });

      expect(third.dueAt.getTime()).toBe(now.getTime());
      expect(localClock(third.remindAt!, 'Europe/Berlin')).toBe('2026-04-15T12:00');
      expect(localClock(third.expiresAt, 'Europe/Berlin')).toBe('2026-04-16T10:00');
    });

    it('expires an open step if the next window opening is at or after its expiry', () => {
      // Day 3 expires Mon 22:00 (36h); at 21:30 the window is shut until Tue 09:00.
      const now = at('2026-04-14T21:30', 'Europe/Berlin');
      const [, third] = plan({ ...lateBase, now, expiryHours: 36 });

      expect(third.status).toBe('expired');
      expect(localClock(third.dueAt, 'Europe/Berlin')).toBe('2026-04-13T10:00'); // as originally planned
      expect(third.remindAt).toBeNull();
    });

    it('treats a step expiring exactly now as expired', () => {
      const now = at('2026-04-13T10:00', 'Europe/Berlin');
      const [first, third] = plan({ ...lateBase, now });
      expect(first.status).toBe('expired');
      expect(third.status).toBe('scheduled');
      expect(third.dueAt.getTime()).toBe(now.getTime());
    });

    it('leaves steps due in the future untouched', () => {
      const now = at('2026-04-10T12:00', 'Europe/Berlin');
      const steps = plan({ ...lateBase, now });
      expect(steps.map((s) => s.status)).toEqual(['scheduled', 'scheduled']);
      expect(steps.map((s) => localClock(s.dueAt, 'Europe/Berlin'))).toEqual(['2026-04-11T10:00', '2026-04-13T10:00']);
    });
  });

  describe('daylight-saving gaps', () => {
    it('shifts a nonexistent local sendTime (02:30 on spring-forward day) forward to 03:30', () => {
      const performedAt = at('2026-03-28T14:00', 'Europe/Berlin');
      const [step] = plan({
        performedAt,
        now: performedAt,
        sendTime: '02:30',
        sendWindow: { start: '00:00', end: '23:59' },
        dayOffsets: [1],
      });
      expect(step.dueAt.toISOString()).toBe('2026-03-29T01:30:00.000Z');
      expect(localClock(step.dueAt, 'Europe/Berlin')).toBe('2026-03-29T03:30');
      expect(step.expiresAt.getTime() - step.dueAt.getTime()).toBe(48 * HOUR_MS);
    });
  });

  describe('validation', () => {
    it('throws a clear error for an invalid time zone', () => {
      expect(() => plan({ timeZone: 'Mars/Olympus_Mons' })).toThrow(/Invalid time zone.*Mars\/Olympus_Mons/);
      expect(() => plan({ timeZone: '' })).toThrow(/Invalid time zone/);
    });

    it.each(['9:00', '10.00', '24:00', '10:60', '1000', '10:00 ', 'ten'])('throws for malformed sendTime %j', (sendTime) => {
      expect(() => plan({ sendTime })).toThrow(/sendTime must be a local time 'HH:mm'/);
    });

    it('throws for a malformed or empty send window', () => {
      expect(() => plan({ sendWindow: { start: '9', end: '20:00' } })).toThrow(/sendWindow.start/);
      expect(() => plan({ sendWindow: { start: '09:00', end: '25:00' } })).toThrow(/sendWindow.end/);
      expect(() => plan({ sendWindow: { start: '09:00', end: '09:00' } })).toThrow(/must differ/);
    });

    it('rejects impossible offsets and durations', () => {
      expect(() => plan({ dayOffsets: [1, -1] })).toThrow(/dayOffsets/);
      expect(() => plan({ dayOffsets: [1.5] })).toThrow(/dayOffsets/);
      expect(() => plan({ expiryHours: 0 })).toThrow(/expiryHours/);
      expect(() => plan({ reminderAfterHours: -1 })).toThrow(/reminderAfterHours/);
      expect(() => plan({ now: new Date('nope') })).toThrow(/now/);
    });

    it('plans nothing for an empty protocol', () => {
      expect(plan({ dayOffsets: [] })).toEqual([]);
    });
  });
});
