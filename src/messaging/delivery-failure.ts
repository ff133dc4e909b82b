/**
 * What a provider's error means for the contact point, so that each kind is handled once:
 * retried, recorded as an opt-out, recorded as an invalid number or address, or escalated.
 */
export type FailureKind = 'transient' | 'opted_out' | 'invalid_contact' | 'spam_filtered' | 'permanent';

const TWILIO: Record<string, FailureKind> = {
  '20429': 'transient', // too many requests
  '30001': 'transient', // queue overflow
  '30003': 'transient', // unreachable handset
  '30008': 'transient', // unknown error at the carrier
  '21610': 'opted_out', // the recipient replied STOP to this sender
  '21211': 'invalid_contact', // not a valid phone number
  '21614': 'invalid_contact', // not a mobile number
  '30005': 'invalid_contact', // unknown destination handset
  '30006': 'invalid_contact', // landline or unreachable carrier
  '30007': 'spam_filtered', // carrier filtered the message
};

export function classifyFailure(code: string | null, transient: boolean): FailureKind {
  if (code && TWILIO[code]) return TWILIO[code];
  // SMTP: a 5xx at RCPT TO is the mailbox; any other 5xx is the message, 4xx may pass later.
  if (code && /^smtp-rcpt-5\d\d$/.test(code)) return 'invalid_contact';
  return transient ? 'transient' : 'permanent';
}
