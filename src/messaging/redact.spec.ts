import { errorSummary, redactContacts } from './redact';

describe('redactContacts', () => {
  it('masks phone numbers and email addresses in provider error text, and keeps error codes', () => {
    expect(redactContacts("The 'To' number +34612345678 is not a valid phone number. (21211)")).toBe("The 'To' number [phone] is not a valid phone number. (21211)");
    expect(redactContacts('550 5.1.1 <ana.ruiz@example.com>: Recipient address rejected')).toBe('550 5.1.1 <[email]>: Recipient address rejected');
    expect(redactContacts('Call +1 (415) 555-0100 or 0034 612 34 56 78')).toBe('Call [phone] or [phone]');
    expect(redactContacts('Twilio 20429, smtp-451, code 30007')).toBe('Twilio 20429, smtp-451, code 30007');
  });

  it('summarises on one line within a length', () => {
    expect(errorSummary('a\n  b\tc +447700900123')).toBe('a b c [phone]');
    expect(errorSummary('x'.repeat(400))).toHaveLength(300);
    expect(errorSummary(undefined)).toBe('');
  });
});
