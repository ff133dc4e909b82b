import { isValidTimeZone, nextSendTime, secondsUntilWindowCloses } from './planner';
import { at, DAY_WINDOW, localClock, NIGHT_WINDOW } from '../../test/support/local-time';

describe('nextSendTime', () => {
  const zone = 'Europe/Berlin';

  it('keeps a time inside the window unchanged (12:00)', () => {
    const noon = at('2026-04-14T12:00:30', zone);
    expect(nextSendTime(noon, zone, DAY_WINDOW)).toBe(noon);
  });

  it('keeps the window opening itself (09:00)', () => {
    const opening = at('2026-04-14T09:00', zone);
    expect(nextSendTime(opening, zone, DAY_WINDOW).getTime()).toBe(opening.getTime());
  });

  it('moves 08:59 to 09:00 the same day', () => {
    expect(localClock(nextSendTime(at('2026-04-14T08:59', zone), zone, DAY_WINDOW), zone)).toBe('2026-04-14T09:00');
  });

  it('moves 21:00 to 09:00 the next day', () => {
    const result = nextSendTime(at('2026-04-14T21:00', zone), zone, DAY_WINDOW);
    expect(localClock(result, zone)).toBe('2026-04-15T09:00');
    expect(result.toISOString()).toBe('2026-04-15T07:00:00.000Z');
  });

  it('moves 19:59:59.999 nowhere but 20:00 to the next morning', () => {
    const justBefore = at('2026-04-14T19:59:59.999', zone);
    expect(nextSendTime(justBefore, zone, DAY_WINDOW)).toBe(justBefore);
    expect(localClock(nextSendTime(at('2026-04-14T20:00', zone), zone, DAY_WINDOW), zone)).toBe('2026-04-15T09:00');
  });

  it('reads the clock in the given zone, not UTC', () => {
    // 07:30Z is 09:30 in Berlin (inside) but 03:30 in New York (outside).
    const instant = new Date('2026-04-14T07:30:00Z');
    expect(nextSendTime(instant, zone, DAY_WINDOW)).toBe(instant);
    expect(localClock(nextSendTime(instant, 'America/New_York', DAY_WINDOW), 'America/New_York')).toBe('2026-04-14T09:00');
  });

  describe('window wrapping midnight (22:00–06:00)', () => {
    it.each([
      ['2026-04-14T23:00', '2026-04-14T23:00'],
      ['2026-04-14T22:00', '2026-04-14T22:00'],
      ['2026-04-15T00:00', '2026-04-15T00:00'],
      ['2026-04-15T03:00', '2026-04-15T03:00'],
      ['2026-04-15T05:59', '2026-04-15T05:59'],
      ['2026-04-15T06:00', '2026-04-15T22:00'],
      ['2026-04-15T12:00', '2026-04-15T22:00'],
      ['2026-04-15T21:59', '2026-04-15T22:00'],
    ])('%s local → %s', (from, expected) => {
      expect(localClock(nextSendTime(at(from, zone), zone, NIGHT_WINDOW), zone)).toBe(expected);
    });
  });

  describe('daylight-saving edges', () => {
    it('an opening that does not exist that day (02:30, spring-forward) becomes 03:30, still after `at`', () => {
      const before = at('2026-03-29T01:30', zone); // 00:30Z, CET
      const result = nextSendTime(before, zone, { start: '02:30', end: '20:00' });
      expect(result.toISOString()).toBe('2026-03-29T01:30:00.000Z');
      expect(localClock(result, zone)).toBe('2026-03-29T03:30');
      expect(result.getTime()).toBeGreaterThan(before.getTime());
    });

    it('an opening that happens twice (02:30, fall-back) is never placed before `at`', () => {
      // 01:10Z is 02:10 CET, the repeated hour: the first 02:30 (00:30Z) is already past.
      const repeatedHour = new Date('2026-10-25T01:10:00Z');
      expect(localClock(repeatedHour, zone)).toBe('2026-10-25T02:10');
      const result = nextSendTime(repeatedHour, zone, { start: '02:30', end: '20:00' });
      expect(result.toISOString()).toBe('2026-10-25T01:30:00.000Z');
      expect(localClock(result, zone)).toBe('2026-10-25T02:30');
    });

    it('an opening that happens twice resolves to the first occurrence when that is still ahead', () => {
      const beforeBoth = new Date('2026-10-24T23:00:00Z'); // 01:00 CEST
      const result = nextSendTime(beforeBoth, zone, { start: '02:30', end: '20:00' });
      expect(result.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    });
  });

  it('throws for an invalid zone or window', () => {
    const noon = at('2026-04-14T12:00', zone);
    expect(() => nextSendTime(noon, 'Not/AZone', DAY_WINDOW)).toThrow(/Invalid time zone/);
    expect(() => nextSendTime(noon, zone, { start: '9am', end: '20:00' })).toThrow(/HH:mm/);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'UTC'])('accepts %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['', 'Mars/Olympus_Mons', 'Berlin', '+02:00', 'local'])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe('secondsUntilWindowCloses', () => {
  const window = { start: '09:00', end: '20:00' };
  it('counts to 20:00 local', () => {
    // 10:00 in Madrid (UTC+1 in March) is 09:00Z; ten hours to 20:00.
    expect(secondsUntilWindowCloses(new Date('2026-03-03T09:00:00Z'), 'Europe/Madrid', window)).toBe(10 * 3600);
  });
  it('after the close counts to the next day’s close (safety advice at night still gets a bound)', () => {
    expect(secondsUntilWindowCloses(new Date('2026-03-03T20:30:00Z'), 'Europe/Madrid', window)).toBe(22.5 * 3600);
  });
});
