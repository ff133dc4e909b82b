import { covers, onCallAt, Shift, shiftErrors, sortShifts } from './rota';

const zone = 'Europe/Madrid';
// Monday 2 March 2026; Madrid is UTC+1 in winter.
const at = (local: string) => new Date(`${local}+01:00`);

describe('on-call rota', () => {
  const day: Shift = { staffUserId: 'day', weekday: 1, start: '08:00', end: '20:00' };
  const night: Shift = { staffUserId: 'night', weekday: 1, start: '20:00', end: '08:00' };
  const sunday: Shift = { staffUserId: 'sun', weekday: 7, start: '22:00', end: '06:00' };

  it('finds the day shift in the clinic zone, end exclusive', () => {
    expect(onCallAt([day, night], zone, at('2026-03-02T08:00:00'))).toEqual(['day']);
    expect(onCallAt([day, night], zone, at('2026-03-02T19:59:00'))).toEqual(['day']);
    expect(onCallAt([day, night], zone, at('2026-03-02T20:00:00'))).toEqual(['night']);
    expect(onCallAt([day, night], zone, at('2026-03-02T07:59:00'))).toEqual([]);
  });

  it('runs a wrapping shift into the next day, and Sunday into Monday', () => {
    expect(onCallAt([night], zone, at('2026-03-03T07:59:00'))).toEqual(['night']);
    expect(onCallAt([night], zone, at('2026-03-03T08:00:00'))).toEqual([]);
    expect(onCallAt([sunday], zone, at('2026-03-02T05:00:00'))).toEqual(['sun']);
    expect(covers(sunday, 7, 23 * 60)).toBe(true);
    expect(covers(sunday, 1, 6 * 60)).toBe(false);
  });

  it('takes a whole day as 00:00–24:00 and lists each person once', () => {
    const all: Shift = { staffUserId: 'day', weekday: 1, start: '00:00', end: '24:00' };
    expect(onCallAt([all, day], zone, at('2026-03-02T23:59:00'))).toEqual(['day']);
    expect(onCallAt([all], zone, at('2026-03-03T00:00:00'))).toEqual([]);
  });

  it('keeps local hours across the daylight-saving change', () => {
    // Sunday 29 March 2026 Madrid moves to UTC+2: 09:00 local is 07:00Z.
    const s: Shift = { staffUserId: 'x', weekday: 7, start: '09:00', end: '10:00' };
    expect(onCallAt([s], zone, new Date('2026-03-29T07:30:00Z'))).toEqual(['x']);
    expect(onCallAt([s], zone, new Date('2026-03-29T08:30:00Z'))).toEqual([]);
  });

  it('names what is wrong with a shift', () => {
    expect(shiftErrors(day, 0)).toEqual([]);
    expect(shiftErrors({ ...day, weekday: 0 }, 2)).toEqual(['shifts[2].weekday must be 1 (Monday) to 7 (Sunday)']);
    expect(shiftErrors({ ...day, start: '24:00' }, 0)).toEqual(['shifts[0].start must be a local time HH:mm (00:00–23:59)']);
    expect(shiftErrors({ ...day, end: '8pm' }, 0)).toEqual(['shifts[0].end must be a local time HH:mm (00:00–24:00)']);
    expect(shiftErrors({ ...day, end: '08:00' }, 1)).toEqual(['shifts[1]: start and end must differ (a whole day is 00:00–24:00)']);
    expect(shiftErrors({ ...day, start: '00:00', end: '24:00' }, 0)).toEqual([]);
  });

  it('puts a rota in one order: weekday, start, end, person', () => {
    const a: Shift = { staffUserId: 'b', weekday: 2, start: '08:00', end: '20:00' };
    const b: Shift = { staffUserId: 'a', weekday: 2, start: '08:00', end: '20:00' };
    expect(sortShifts([night, a, day, b, sunday])).toEqual([day, night, b, a, sunday]);
  });
});
