import { planExtraCheckIn } from './extra-check-in';

const base = {
  // Tuesday 3 March 2026, 15:00 in Madrid; treated Monday 2 March.
  now: new Date('2026-03-03T14:00:00Z'),
  inDays: 2,
  performedAt: new Date('2026-03-02T08:00:00Z'),
  timeZone: 'Europe/Madrid',
  sendTime: '10:00',
  sendWindow: { start: '09:00', end: '20:00' },
  expiryHours: 48,
  reminderAfterHours: 24,
};

describe('planExtraCheckIn', () => {
  it('plans N days from today at the send time in the patient zone, counting days from the treatment', () => {
    const p = planExtraCheckIn(base);
    expect(p.dueAt.toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(p.expiresAt.toISOString()).toBe('2026-03-07T09:00:00.000Z');
    expect(p.remindAt?.toISOString()).toBe('2026-03-06T09:00:00.000Z');
    expect(p.dayOffset).toBe(3);
    expect(p.day).toEqual({ start: new Date('2026-03-04T23:00:00Z'), end: new Date('2026-03-05T23:00:00Z'), date: '2026-03-05' });
  });

  it('moves a send time outside the window to its opening', () => {
    const p = planExtraCheckIn({ ...base, sendTime: '07:30', inDays: 1 });
    expect(p.dueAt.toISOString()).toBe('2026-03-04T08:00:00.000Z');
  });

  it('uses the patient calendar across the daylight-saving change', () => {
    // Saturday 28 March 2026 + 1 day = Sunday 29 March, Madrid on UTC+2 from then.
    const p = planExtraCheckIn({ ...base, now: new Date('2026-03-28T12:00:00Z'), inDays: 1 });
    expect(p.dueAt.toISOString()).toBe('2026-03-29T08:00:00.000Z');
  });

  it('leaves out a reminder that could not go before expiry, and refuses a bad day count', () => {
    expect(planExtraCheckIn({ ...base, expiryHours: 12, reminderAfterHours: 24 }).remindAt).toBeNull();
    expect(() => planExtraCheckIn({ ...base, inDays: 0 })).toThrow(/inDays/);
    expect(() => planExtraCheckIn({ ...base, inDays: 91 })).toThrow(/inDays/);
  });

  it('has no reminder when the protocol has none (reminderAfterHours null)', () => {
    const p = planExtraCheckIn({ ...base, reminderAfterHours: null });
    expect(p.remindAt).toBeNull();
    expect(p.dueAt).toEqual(planExtraCheckIn(base).dueAt);
  });
});
