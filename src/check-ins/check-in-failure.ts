import { decideAfterFailure, FailureDecision, FailureKind, RetryPolicy } from '../messaging/delivery-failure';
import { Channel, chooseChannel, Patient } from '../patients/patient.entity';
import type { CheckIn } from './check-in.entity';

/** A check-in is sent up to 5 times on a channel (backoff from 1 minute to an hour), then falls back once. */
export const CHECK_IN_RETRIES: RetryPolicy = { maxAttempts: 5 };

/**
 * What a failed check-in send means, at the send or in a later status report: the one decision
 * (decideAfterFailure) fed with a check-in's facts. Retried while the channel still reaches the
 * patient; falls back once to the other channel if it reaches them; else failed.
 */
export function decideCheckInFailure(input: { checkIn: CheckIn; patient: Patient; channel: Channel; kind: FailureKind; live: Channel[] }): { decision: FailureDecision; other: Channel } {
  const { checkIn, patient, channel, live } = input;
  const other: Channel = channel === 'sms' ? 'email' : 'sms';
  const decision = decideAfterFailure(
    { kind: input.kind, attempts: checkIn.attempts },
    {
      policy: CHECK_IN_RETRIES,
      sameChannelStillReaches: chooseChannel(patient, channel, live) === channel,
      fallbackAvailable: !checkIn.fallbackFrom && chooseChannel(patient, other, live) === other,
    },
  );
  return { decision, other };
}
