import { backoffDelayMs } from '../common/backoff';

/**
 * What a failed delivery means, provider-free. Each adapter (Twilio, SMTP) reads its provider's
 * codes and hands the rest of the service one of these: worth another try later, the recipient
 * opted out, the number or address is invalid, a carrier filtered it as spam, or any other
 * permanent failure.
 */
export type FailureKind = 'transient' | 'opted_out' | 'invalid_contact' | 'spam_filtered' | 'permanent';

/** How often, and how far apart, a queue tries again after a transient failure. */
export interface RetryPolicy {
  maxAttempts: number;
  /** backoffDelayMs's base and cap (defaults: 1 minute, 1 hour). */
  baseMs?: number;
  capMs?: number;
}

export type FailureDecision = { action: 'retry'; delayMs: number } | { action: 'fallback' } | { action: 'fail' };

/**
 * The one decision of what a failed delivery means for whatever was being delivered (a check-in,
 * a queued message): try the same channel again after a backoff while the failure is transient,
 * attempts are left and the channel still reaches the recipient; otherwise move to the other
 * channel once, if one is available; otherwise fail for good.
 */
export function decideAfterFailure(
  failure: { kind: FailureKind; attempts: number },
  options: { policy: RetryPolicy; sameChannelStillReaches: boolean; fallbackAvailable: boolean; random?: () => number },
): FailureDecision {
  const { policy } = options;
  if (failure.kind === 'transient' && failure.attempts < policy.maxAttempts && options.sameChannelStillReaches) {
    return { action: 'retry', delayMs: backoffDelayMs(failure.attempts, { baseMs: policy.baseMs, capMs: policy.capMs, random: options.random }) };
  }
  return options.fallbackAvailable ? { action: 'fallback' } : { action: 'fail' };
}
