/**
 * Exponential backoff with full jitter: attempt 1 waits up to base, each further attempt
 * doubles it, capped. `random` is injectable so tests can pin it.
 */
export function backoffDelayMs(
  attempt: number,
  opts: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const base = opts.baseMs ?? 60_000;
  const cap = opts.capMs ?? 3_600_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  const random = opts.random ?? Math.random;
  // Half fixed, half jitter: never retries immediately, never synchronises instances.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
