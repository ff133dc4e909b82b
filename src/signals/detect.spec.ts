import { detectSignals, TreatmentFacts } from './detect';

let n = 0;
function t(over: Partial<TreatmentFacts>): TreatmentFacts {
  return { treatmentId: `t${++n}`, lot: 'B', product: 'P', practitioner: 'dr1', technique: 'manual', formula: null, event: false, ...over };
}

describe('detectSignals', () => {
  const lotA = [t({ lot: 'A', event: true }), t({ lot: 'A', event: true }), t({ lot: 'A', event: true }), t({ lot: 'A' })];
  const rest = [t({ lot: 'B', event: true }), ...Array.from({ length: 19 }, () => t({ lot: n % 2 ? 'B' : 'C' }))];

  it('builds each value against the rest of the clinic and flags the lot that stands out', () => {
    const rows = detectSignals({ clinicId: 'clinic-1', current: [...lotA, ...rest], earlier: { exposures: 0, events: 0 }, lateOnset: [] });
    const a = rows.find((r) => r.dimension === 'lot' && r.value === 'A')!;
    expect(a.stats).toMatchObject({ a: 3, b: 1, c: 1, d: 19, exposures: 4, events: 3 });
    expect(a.stats.chiSquare).toBeCloseTo(7.26, 10);
    expect(a).toMatchObject({ signal: true, kinds: ['disproportionality'], comparedWith: 'rest of the clinic' });
    const b = rows.find((r) => r.dimension === 'lot' && r.value === 'B')!;
    expect(b.signal).toBe(false);
    expect(b.why[0]).toMatch(/^no signal: n = 1 < 3/);
    // Every treatment has product P: nothing to compare with.
    const product = rows.find((r) => r.dimension === 'product')!;
    expect(product.stats.prrNote).toMatch(/no rest/);
    expect(product.signal).toBe(false);
    // No formula recorded: no formula rows.
    expect(rows.filter((r) => r.dimension === 'formula')).toEqual([]);
    // The clinic against an empty earlier window.
    const clinic = rows.find((r) => r.dimension === 'clinic')!;
    expect(clinic).toMatchObject({ value: 'clinic-1', comparedWith: "the clinic's previous window", signal: false });
    expect(clinic.stats).toMatchObject({ a: 4, b: 20, c: 0, d: 0 });
  });

  it('raises a cluster for two late-onset flags on one lot, and for the clinic, whatever the PRR', () => {
    const rows = detectSignals({
      clinicId: 'clinic-1',
      current: [t({ lot: 'Z', event: true }), t({ lot: 'Z' })],
      earlier: { exposures: 10, events: 5 },
      lateOnset: [
        { patientId: 'p1', treatmentId: 'x1', lot: 'Z', at: new Date('2026-03-01T00:00:00Z') },
        { patientId: 'p2', treatmentId: 'x2', lot: 'Z', at: new Date('2026-04-01T00:00:00Z') },
        { patientId: 'p3', treatmentId: 'x3', lot: 'Q', at: new Date('2026-04-02T00:00:00Z') },
      ],
    });
    const z = rows.find((r) => r.value === 'Z')!;
    expect(z).toMatchObject({ signal: true, kinds: ['cluster'], cluster: { lateOnsetPatients: 2 } });
    expect(z.cluster!.firstAt.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    // One late-onset flag on lot Q: shown, no signal.
    expect(rows.find((r) => r.value === 'Q')).toMatchObject({ signal: false, cluster: null, stats: { exposures: 0 } });
    expect(rows.find((r) => r.dimension === 'clinic')).toMatchObject({ signal: true, kinds: ['cluster'], cluster: { lateOnsetPatients: 3 } });
  });

  it('counts one patient once: two flags on one treatment, or one flag counted for two sessions of the lot', () => {
    const rows = detectSignals({
      clinicId: 'c',
      current: [],
      earlier: { exposures: 0, events: 0 },
      lateOnset: [
        { patientId: 'p', treatmentId: 'same', lot: 'Z', at: new Date('2026-03-01T00:00:00Z') },
        { patientId: 'p', treatmentId: 'same', lot: 'Z', at: new Date('2026-03-05T00:00:00Z') },
        { patientId: 'p', treatmentId: 'earlier-session', lot: 'Z', at: new Date('2026-03-05T00:00:00Z') },
      ],
    });
    expect(rows.find((r) => r.value === 'Z')!.signal).toBe(false);
  });
});
