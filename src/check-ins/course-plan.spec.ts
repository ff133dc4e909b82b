import { DateTime } from 'luxon';
import { fateOnCancel, isLateStep, lateStepsToSupersede, linksFor, localDaysBetween, localDaysUntil, localYear, mergeIntoOpen } from './course-plan';
import { planCheckIns } from './planner';

const zone = 'Europe/Madrid';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const OFFSETS = [1, 3, 7, 14, 30, 60, 90];

function planFrom(performedAt: Date, now = performedAt) {
  return planCheckIns({ performedAt, timeZone: zone, dayOffsets: OFFSETS, sendTime: '10:00', sendWindow: { start: '09:00', end: '20:00' }, expiryHours: 48, reminderAfterHours: 24, now });
}

describe('mergeIntoOpen', () => {
  const first = at('2026-03-02T09:00');
  const second = at('2026-03-09T09:00'); // a week later: its day 7 is the first session's day 14
  const open = planFrom(first).map((p, i) => ({ id: `c${i + 1}`, dueAt: p.dueAt, ownerPerformedAt: first }));

  it('merges a step on the same local day as an open check-in and inserts the rest', () => {
    const plan = mergeIntoOpen({ open, planned: planFrom(second), performedAt: second, timeZone: zone });
    expect(plan.merges.map((x) => [x.checkInId, x.planned.dayOffset, x.repoint])).toEqual([['c4', 7, true]]);
    expect(plan.inserts.map((p) => p.dayOffset)).toEqual([1, 3, 14, 30, 60, 90]);
  });

  it('same local day, different hour still merges (one check-in a day)', () => {
    const early = [{ id: 'x', dueAt: at('2026-03-10T18:30'), ownerPerformedAt: first }];
    const plan = mergeIntoOpen({ open: early, planned: planFrom(second), performedAt: second, timeZone: zone });
    expect(plan.merges.map((x) => x.checkInId)).toEqual(['x']);
    expect(plan.inserts).toHaveLength(OFFSETS.length - 1);
  });

  it('a back-filled (older) session joins but does not become the owner', () => {
    const later = [{ id: 'y', dueAt: at('2026-03-16T10:00'), ownerPerformedAt: at('2026-03-15T09:00') }];
    const plan = mergeIntoOpen({ open: later, planned: planFrom(second), performedAt: second, timeZone: zone });
    expect(plan.merges).toEqual([expect.objectContaining({ checkInId: 'y', repoint: false })]);
  });

  it('expired steps are inserted as records and never merged', () => {
    const lateEntry = at('2026-03-06T12:00');
    const planned = planFrom(first, lateEntry);
    const mergedAway = [{ id: 'z', dueAt: planned[0].dueAt, ownerPerformedAt: first }];
    const plan = mergeIntoOpen({ open: mergedAway, planned, performedAt: first, timeZone: zone });
    expect(planned[0].status).toBe('expired');
    expect(plan.merges).toEqual([]);
    expect(plan.inserts[0]).toEqual(planned[0]);
  });

  it('two planned steps on one local day keep the first', () => {
    const planned = planFrom(first).slice(0, 2);
    planned[1] = { ...planned[1], dueAt: new Date(planned[0].dueAt.getTime() + 3600_000) };
    const plan = mergeIntoOpen({ open: [], planned, performedAt: first, timeZone: zone });
    expect(plan.inserts.map((p) => p.dayOffset)).toEqual([1]);
  });

  it('no open check-ins: every step is inserted', () => {
    expect(mergeIntoOpen({ open: [], planned: planFrom(first), performedAt: first, timeZone: zone }).inserts).toHaveLength(7);
  });
});

describe('late steps', () => {
  it('days 30, 60, 90 are late; 14 is not', () => {
    expect(OFFSETS.filter(isLateStep)).toEqual([30, 60, 90]);
  });

  it('supersedes only scheduled late steps of earlier sessions', () => {
    const checkIns = [
      { id: 'a14', treatmentId: 'A', dayOffset: 14, status: 'scheduled' },
      { id: 'a30', treatmentId: 'A', dayOffset: 30, status: 'scheduled' },
      { id: 'a60', treatmentId: 'A', dayOffset: 60, status: 'sent' },
      { id: 'a90', treatmentId: 'A', dayOffset: 90, status: 'scheduled' },
      { id: 'x30', treatmentId: 'X', dayOffset: 30, status: 'scheduled' },
    ];
    expect(lateStepsToSupersede(checkIns, ['A'])).toEqual(['a30', 'a90']);
  });
});

describe('localDaysBetween', () => {
  it('counts calendar days in the zone, across a DST change', () => {
    expect(localDaysBetween(at('2026-03-28T23:30'), at('2026-03-29T00:10'), zone)).toBe(1);
    expect(localDaysBetween(at('2026-03-02T09:00'), at('2026-04-01T10:00'), zone)).toBe(30);
  });
});

describe('localDaysUntil and localYear', () => {
  const zones = ['Europe/Madrid', 'America/Los_Angeles', 'Pacific/Kiritimati', 'UTC'];
  const instants = ['2025-12-31T23:30:00Z', '2026-01-01T00:30:00Z', '2026-03-29T01:30:00Z', '2026-10-25T00:59:00Z', '2026-06-01T08:00:00Z'].map((s) => new Date(s));

  it("give localDaysBetween's and luxon's answers, with the day of `to` computed once", () => {
    for (const z of zones) {
      for (const to of instants) {
        const since = localDaysUntil(to, z);
        for (const from of instants) expect(since(from)).toBe(localDaysBetween(from, to, z));
        expect(localYear(to, z)).toBe(DateTime.fromJSDate(to, { zone: z }).year);
      }
    }
  });
});

describe('linksFor', () => {
  const treatment = { id: 's2', clinicId: 'k1' };
  const earlier = [{ id: 's1', performedAt: at('2026-03-02T09:00') }];

  it('links an early step to its own session only', () => {
    expect(linksFor({ treatment, checkIns: [{ checkInId: 'c1', step: 2, dayOffset: 3, dueAt: at('2026-03-12T10:00') }], courseEarlier: earlier, timeZone: zone })).toEqual([
      { checkInId: 'c1', treatmentId: 's2', clinicId: 'k1', step: 2, dayOffset: 3 },
    ]);
  });

  it("links a late step to every earlier session of the course too, at its local day there, without a step", () => {
    expect(linksFor({ treatment, checkIns: [{ checkInId: 'c5', step: 5, dayOffset: 30, dueAt: at('2026-04-08T10:00') }], courseEarlier: earlier, timeZone: zone })).toEqual([
      { checkInId: 'c5', treatmentId: 's2', clinicId: 'k1', step: 5, dayOffset: 30 },
      { checkInId: 'c5', treatmentId: 's1', clinicId: 'k1', step: null, dayOffset: 37 },
    ]);
  });
});

describe('fateOnCancel', () => {
  const active = new Map([
    ['s1', at('2026-03-02T09:00').getTime()],
    ['s3', at('2026-03-16T09:00').getTime()],
  ]);

  it('keeps a check-in owned by another active session, owner unchanged', () => {
    expect(fateOnCancel({ checkIn: { owner: 's1', dayOffset: 7 }, cancelledId: 's2', otherLinks: [], activePerformedAt: active })).toEqual({ keep: true, newOwner: null });
  });

  it('cancels one owned by a session no longer active', () => {
    expect(fateOnCancel({ checkIn: { owner: 's9', dayOffset: 7 }, cancelledId: 's2', otherLinks: [], activePerformedAt: active })).toEqual({ keep: false });
  });

  it("hands the cancelled session's check-in to the most recent active session whose step it is", () => {
    const otherLinks = [
      { treatmentId: 's1', step: 4, dayOffset: 14 },
      { treatmentId: 's3', step: 1, dayOffset: 0 },
      { treatmentId: 's8', step: 2, dayOffset: 3 }, // not active
    ];
    expect(fateOnCancel({ checkIn: { owner: 's2', dayOffset: 7 }, cancelledId: 's2', otherLinks, activePerformedAt: active })).toEqual({
      keep: true,
      newOwner: { treatmentId: 's3', step: 1, dayOffset: 0 },
    });
  });

  it('does not hand over a link without a step, nor a late step', () => {
    expect(fateOnCancel({ checkIn: { owner: 's2', dayOffset: 7 }, cancelledId: 's2', otherLinks: [{ treatmentId: 's1', step: null, dayOffset: 21 }], activePerformedAt: active })).toEqual({ keep: false });
    expect(fateOnCancel({ checkIn: { owner: 's2', dayOffset: 30 }, cancelledId: 's2', otherLinks: [{ treatmentId: 's1', step: 5, dayOffset: 30 }], activePerformedAt: active })).toEqual({ keep: false });
  });
});
