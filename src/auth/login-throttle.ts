/** Failed logins per account in a sliding window; past the limit, login answers 429. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly limit = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  isBlocked(key: string, now: number): boolean {
    return this.recent(key, now).length >= this.limit;
  }
  fail(key: string, now: number): void {
    this.failures.set(key, [...this.recent(key, now), now]);
    // Guessed emails would otherwise pile up for ever.
    if (this.failures.size > this.maxKeys) {
      for (const k of this.failures.keys()) if (!this.recent(k, now).length) this.failures.delete(k);
    }
  }
  succeed(key: string): void {
    this.failures.delete(key);
  }
  get size(): number {
    return this.failures.size;
  }
  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
  }
}
