import fc from 'fast-check';
import { chainHash, eventCanonicalJson, eventHash } from './chain-hash';
import { canonicalJson } from './canonical-json';

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
        },
      ),
      { numRuns: 300 },
    );
  });
});
