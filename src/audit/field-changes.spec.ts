import { changedFields } from './field-changes';

describe('changedFields', () => {
  it('lists only the fields that differ, dates as ISO text, undefined as null', () => {
    const before = { a: 1, b: ['x'], c: new Date('2026-01-01T00:00:00Z'), d: undefined as string | undefined };
    const after = { a: 1, b: ['x', 'y'], c: new Date('2026-01-02T00:00:00Z'), d: 'new' };
    expect(changedFields(before, after, ['a', 'b', 'c', 'd'])).toEqual({
      b: { from: ['x'], to: ['x', 'y'] },
      c: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
      d: { from: null, to: 'new' },
    });
  });
});
