/** Failed logins per account in a sliding window; past the limit, login answers 429. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly limit = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}

  isBlocked(key: string, now: number): boolean {
    return this.recent(key, now).length >= this.limit;
  }
  fail(key: string, now: number): void {
    this.failures.set(key, [...this.recent(key, now), now]);
  }
  succeed(key: string): void {
    this.failures.delete(key);
  }
  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
  }
}
