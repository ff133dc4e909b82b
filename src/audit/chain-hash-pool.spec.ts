import type { ChainTextRow } from './chain-hash';
import { packRows, unpackRows } from './chain-hash-pool';

describe('packing verification rows for the workers', () => {
  it('gives back the same rows: nulls, empty strings and unicode kept apart', () => {
    const rows: ChainTextRow[] = [
      ['1', '1', '2026-03-02 08:00:00+00', 'staff', null, 'patient.created', 'patient', null, '{"a":"é\\n"}', '0'.repeat(64), 'a'.repeat(64), null],
      ['2', '2', '2026-03-02 08:00:00.123+00', 'system', '', 'x', 'y', '', '{}', 'a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)],
      ['3', '3', '2026-03-02 08:00:01+00', 'integration', 'k1', 'read', 'bench', 'e-1', '[1,2]', 'b'.repeat(64), 'd'.repeat(64), null],
    ];
    const { text, nulls } = packRows(rows);
    expect(unpackRows(text, nulls)).toEqual(rows);
    expect(unpackRows(...Object.values(packRows([])) as [string, Uint8Array])).toEqual([]);
  });
});
