import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });
  it('gives the same text for the same object built in another order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Infinity })).toThrow();
  });
});

/** The straightforward definition the loops in canonicalJson must equal. */
function reference(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite');
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson against its definition', () => {
  it('gives the same text as the straightforward definition for any JSON value (keys with any code units, undefined members dropped)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string({ unit: 'binary' }), fc.option(fc.jsonValue(), { nil: undefined })), (v, d) => {
        expect(canonicalJson(v)).toBe(reference(v));
        expect(canonicalJson(d)).toBe(reference(d));
        expect(canonicalJson([d, v, new Date(0)])).toBe(reference([d, v, new Date(0)]));
      }),
      { numRuns: 500 },
    );
  });
});
