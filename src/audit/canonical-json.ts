/**
 * Canonical JSON (RFC 8785 for the values we store: strings, finite numbers, booleans,
 * null, arrays, plain objects): keys sorted by UTF-16 code units, no whitespace.
 *
 * Written as plain loops (no entries/filter/map/join per object): verification runs it once per
 * event. A spec checks it against the straightforward definition on random JSON values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as RFC 8785 asks.
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new Error(`canonicalJson: unsupported ${typeof value}`);
  }
}
