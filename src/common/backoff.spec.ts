import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles the ceiling with each attempt and stays within [ceiling/2, ceiling]', () => {
    expect(backoffDelayMs(1, { baseMs: 1000, random: () => 0 })).toBe(500);
    expect(backoffDelayMs(1, { baseMs: 1000, random: () => 1 })).toBe(1000);
    expect(backoffDelayMs(3, { baseMs: 1000, random: () => 1 })).toBe(4000);
    expect(backoffDelayMs(3, { baseMs: 1000, random: () => 0 })).toBe(2000);
  });

  it('is capped', () => {
    expect(backoffDelayMs(30, { baseMs: 1000, capMs: 5000, random: () => 1 })).toBe(5000);
  });

  it('spreads retries out (jitter)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4)));
    expect(seen.size).toBeGreaterThan(10);
  });
});
