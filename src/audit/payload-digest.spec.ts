import { payloadDigestOf } from './chain-hash';

describe('payloadDigestOf', () => {
  it('is the SHA-256 of canonical JSON: key order does not matter, any value does', () => {
    const a = payloadDigestOf({ reason: 'r', changes: { familyName: { from: 'A', to: 'B' } } });
    const b = payloadDigestOf({ changes: { familyName: { to: 'B', from: 'A' } }, reason: 'r' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(payloadDigestOf({ reason: 'r', changes: { familyName: { from: 'A', to: 'C' } } })).not.toBe(a);
    // What jsonb gives back (reparsed JSON) digests the same as what was written.
    expect(payloadDigestOf(JSON.parse(JSON.stringify({ changes: { n: { from: 1, to: 2.5 } } })))).toBe(payloadDigestOf({ changes: { n: { from: 1, to: 2.5 } } }));
  });
});
