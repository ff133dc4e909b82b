import { sendWindowOf, timeZoneOf, timingOf } from './check-in-timing';

const clinic = { timeZone: 'Europe/Madrid', sendWindowStart: '09:00:00', sendWindowEnd: '20:00:00' };
const protocol = { sendTime: '10:00:00', expiryHours: 48, reminderAfterHours: 24 };

describe('check-in timing', () => {
  it('reads the send window as local HH:mm', () => {
    expect(sendWindowOf(clinic)).toEqual({ start: '09:00', end: '20:00' });
  });

  it("takes the patient's zone, else the clinic's", () => {
    expect(timeZoneOf({ timeZone: 'America/New_York' }, clinic)).toBe('America/New_York');
    expect(timeZoneOf({ timeZone: null }, clinic)).toBe('Europe/Madrid');
  });

  it("gives the protocol's timing in the patient's day", () => {
    const performedAt = new Date('2026-03-02T08:00:00Z');
    expect(timingOf({ performedAt }, { timeZone: null }, clinic, protocol)).toEqual({
      performedAt,
      timeZone: 'Europe/Madrid',
      sendTime: '10:00',
      sendWindow: { start: '09:00', end: '20:00' },
      expiryHours: 48,
      reminderAfterHours: 24,
    });
  });

  it('says "no reminder" as null when the protocol has none', () => {
    expect(timingOf({ performedAt: new Date() }, { timeZone: null }, clinic, { ...protocol, reminderAfterHours: null }).reminderAfterHours).toBeNull();
  });
});
