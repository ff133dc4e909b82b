import type { Patient } from '../patients/patient.entity';
import type { CheckIn } from './check-in.entity';
import { decideCheckInFailure } from './check-in-failure';

const at = new Date('2026-03-01T00:00:00Z');
const both = { phone: '+34600000000', email: 'ana@example.test', smsConsentAt: at, emailConsentAt: at, preferredChannel: 'sms' } as Patient;
const smsOnly = { ...both, email: null, emailConsentAt: null } as Patient;
const checkIn = (attempts: number, fallbackFrom: 'sms' | 'email' | null = null) => ({ attempts, fallbackFrom }) as CheckIn;
const live: Array<'sms' | 'email'> = ['sms', 'email'];

describe('decideCheckInFailure', () => {
  it('retries a transient failure on the same channel while attempts are left', () => {
    expect(decideCheckInFailure({ checkIn: checkIn(1), patient: both, channel: 'sms', kind: 'transient', live }).decision.action).toBe('retry');
  });

  it('falls back once to the other channel the patient can be reached on', () => {
    expect(decideCheckInFailure({ checkIn: checkIn(5), patient: both, channel: 'sms', kind: 'transient', live })).toEqual({ decision: { action: 'fallback' }, other: 'email' });
    expect(decideCheckInFailure({ checkIn: checkIn(1), patient: both, channel: 'sms', kind: 'invalid_contact', live }).decision.action).toBe('fallback');
  });

  it('does not retry on a channel that no longer reaches the patient (a report after an opt-out)', () => {
    const optedOut = { ...both, smsOptedOutAt: at } as Patient;
    expect(decideCheckInFailure({ checkIn: checkIn(1), patient: optedOut, channel: 'sms', kind: 'transient', live }).decision.action).toBe('fallback');
  });

  it('fails with no other channel, or after one fallback already', () => {
    expect(decideCheckInFailure({ checkIn: checkIn(1), patient: smsOnly, channel: 'sms', kind: 'permanent', live }).decision.action).toBe('fail');
    expect(decideCheckInFailure({ checkIn: checkIn(1, 'email'), patient: both, channel: 'sms', kind: 'permanent', live }).decision.action).toBe('fail');
    expect(decideCheckInFailure({ checkIn: checkIn(1), patient: both, channel: 'sms', kind: 'permanent', live: ['sms'] }).decision.action).toBe('fail');
  });
});
