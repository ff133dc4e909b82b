import { decideAfterFailure, FailureKind, RetryPolicy } from './delivery-failure';

const policy: RetryPolicy = { maxAttempts: 5, baseMs: 1000, capMs: 8000 };
const half = () => 0.5;

describe('decideAfterFailure', () => {
  it('retries a transient failure with backoff while attempts are left and the channel still reaches', () => {
    expect(decideAfterFailure({ kind: 'transient', attempts: 1 }, { policy, sameChannelStillReaches: true, fallbackAvailable: true, random: half })).toEqual({ action: 'retry', delayMs: 750 });
    expect(decideAfterFailure({ kind: 'transient', attempts: 3 }, { policy, sameChannelStillReaches: true, fallbackAvailable: false, random: half })).toEqual({ action: 'retry', delayMs: 3000 });
  });

  it('falls back once attempts are used up, or when the channel no longer reaches', () => {
    expect(decideAfterFailure({ kind: 'transient', attempts: 5 }, { policy, sameChannelStillReaches: true, fallbackAvailable: true })).toEqual({ action: 'fallback' });
    expect(decideAfterFailure({ kind: 'transient', attempts: 1 }, { policy, sameChannelStillReaches: false, fallbackAvailable: true })).toEqual({ action: 'fallback' });
  });

  it.each<FailureKind>(['opted_out', 'invalid_contact', 'spam_filtered', 'permanent'])('never retries %s: falls back when it can', (kind) => {
    expect(decideAfterFailure({ kind, attempts: 1 }, { policy, sameChannelStillReaches: true, fallbackAvailable: true })).toEqual({ action: 'fallback' });
  });

  it('fails for good with nothing left to try', () => {
    expect(decideAfterFailure({ kind: 'permanent', attempts: 1 }, { policy, sameChannelStillReaches: true, fallbackAvailable: false })).toEqual({ action: 'fail' });
    expect(decideAfterFailure({ kind: 'transient', attempts: 5 }, { policy, sameChannelStillReaches: true, fallbackAvailable: false })).toEqual({ action: 'fail' });
  });
});
