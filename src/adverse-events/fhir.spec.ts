import { auditEventUuid, bundleClosing, bundleOpening, ENTRIES_OPENING } from './fhir';

describe('FHIR export pieces', () => {
  it('gives each audit event a stable, well-formed UUID of its own', () => {
    const a = auditEventUuid('c1', '1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(auditEventUuid('c1', '1')).toBe(a);
    expect(auditEventUuid('c1', '2')).not.toBe(a);
    expect(auditEventUuid('c2', '1')).not.toBe(a);
  });

  it('opens and closes a Bundle so that entries written between make one JSON document', () => {
    const text = bundleOpening('b1', new Date('2026-03-03T09:00:00Z')) + ENTRIES_OPENING + ['{"a":1}', '{"b":2}'].join(',') + bundleClosing(true);
    expect(JSON.parse(text)).toEqual({ resourceType: 'Bundle', id: 'b1', type: 'collection', timestamp: '2026-03-03T09:00:00.000Z', entry: [{ a: 1 }, { b: 2 }] });
    // No entries: no `entry` (FHIR JSON forbids empty arrays).
    expect(JSON.parse(bundleOpening('b1', new Date(0)) + bundleClosing(false))).toEqual({ resourceType: 'Bundle', id: 'b1', type: 'collection', timestamp: '1970-01-01T00:00:00.000Z' });
  });
});
