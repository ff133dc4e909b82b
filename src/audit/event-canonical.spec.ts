import fc from 'fast-check';
import { chainHash, ChainTextRow, eventCanonicalJson, eventHash, isoOfUtcText, textRowHash } from './chain-hash';
import { canonicalJson } from './canonical-json';

/** A Date as PostgreSQL prints a timestamptz in UTC with the ISO DateStyle (fraction only when there is one, trailing zeros dropped), plus extra microseconds. */
function pgUtcText(d: Date, micros = ''): string {
  const iso = d.toISOString();
  const frac = (iso.slice(20, 23) + micros).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? '.' + frac : ''}+00`;
}

describe('eventCanonicalJson (verification fast path)', () => {
  it('equals canonicalJson of the event the chain hashed, and so gives the same hash', () => {
    const text = fc.option(fc.string(), { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          clinicId: fc.option(fc.uuid(), { nil: null }),
          seq: fc.bigInt({ min: 1n, max: 2n ** 62n }),
          at: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
          actorType: fc.constantFrom('staff', 'system', 'patient'),
          actorId: text,
          action: fc.string(),
          entityType: fc.string(),
          entityId: text,
          data: fc.dictionary(fc.string(), fc.jsonValue()),
          digest: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
        }),
        (e) => {
          const data = JSON.parse(JSON.stringify(e.data)) as Record<string, unknown>;
          const event = {
            clinicId: e.clinicId, clinicSeq: String(e.seq), occurredAt: e.at.toISOString(), actorType: e.actorType, actorId: e.actorId,
            action: e.action, entityType: e.entityType, entityId: e.entityId, data, ...(e.digest ? { payloadDigest: e.digest } : {}),
          };
          const row = {
            clinic_seq: String(e.seq), occurred_at: e.at, actor_type: e.actorType, actor_id: e.actorId, action: e.action,
            entity_type: e.entityType, entity_id: e.entityId, data, payload_digest: e.digest,
          };
          expect(eventCanonicalJson(e.clinicId, row)).toBe(canonicalJson(event));
          expect(eventCanonicalJson(e.clinicId, { ...row, occurred_at: e.at.toISOString() })).toBe(canonicalJson(event));
          expect(eventHash(e.clinicId, 'p', row)).toBe(chainHash('p', event));
          // The page row as text (data as JSON text in any layout, as jsonb prints it or not).
          const text: ChainTextRow = [
            '1', String(e.seq), pgUtcText(e.at), e.actorType, e.actorId, e.action, e.entityType, e.entityId, JSON.stringify(e.data, null, 1), 'x', 'y', e.digest,
          ];
          expect(textRowHash(e.clinicId, 'p', text)).toBe(chainHash('p', event));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isoOfUtcText', () => {
  it('turns timestamptz text (UTC, ISO DateStyle) into the ISO string a Date gives, truncated to milliseconds', () => {
    expect(isoOfUtcText('2026-03-02 08:00:00+00')).toBe('2026-03-02T08:00:00.000Z');
    expect(isoOfUtcText('2026-03-02 08:00:00.1+00')).toBe('2026-03-02T08:00:00.100Z');
    expect(isoOfUtcText('2026-03-02 08:00:00.12+00')).toBe('2026-03-02T08:00:00.120Z');
    expect(isoOfUtcText('2026-03-02 08:00:00.123456+00')).toBe('2026-03-02T08:00:00.123Z');
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), fc.stringMatching(/^[0-9]{0,3}$/), (d, us) => {
        expect(isoOfUtcText(pgUtcText(d, us))).toBe(d.toISOString());
      }),
    );
  });
  it('leaves anything else as it is, so it cannot match an ISO string', () => {
    expect(isoOfUtcText('10000-01-01 00:00:00+00')).toBe('10000-01-01 00:00:00+00');
    expect(isoOfUtcText('2026-03-02 08:00:00+01')).toBe('2026-03-02 08:00:00+01');
  });
});
