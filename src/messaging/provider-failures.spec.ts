import { smtpFailureKind } from './smtp.transport';
import { TwilioSmsTransport, twilioFailureKind } from './twilio.transport';

describe('what a provider failure means, read by its adapter', () => {
  it.each([
    ['20429', true, 'transient'],
    ['30003', true, 'transient'],
    ['http-429', true, 'transient'],
    ['21610', false, 'opted_out'],
    ['21211', false, 'invalid_contact'],
    ['30005', false, 'invalid_contact'],
    ['30006', false, 'invalid_contact'],
    ['30007', false, 'spam_filtered'],
    [null, true, 'transient'],
  ])('Twilio %s (transient %s) is %s', (code, transient, kind) => {
    expect(twilioFailureKind(code as string | null, transient as boolean)).toBe(kind);
  });

  it.each([
    ['smtp-rcpt-550', false, 'invalid_contact'],
    ['smtp-554', false, 'permanent'],
    ['smtp-451', true, 'transient'],
    [null, true, 'transient'],
  ])('SMTP %s (transient %s) is %s', (code, transient, kind) => {
    expect(smtpFailureKind(code as string | null, transient as boolean)).toBe(kind);
  });

  it('translates a Twilio status callback into a provider-free report', () => {
    expect(TwilioSmsTransport.readStatusCallback({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30007' }, 'id-1')).toEqual({
      provider: 'twilio',
      providerId: 'SM1',
      status: 'undelivered',
      errorCode: '30007',
      failure: { kind: 'spam_filtered', code: '30007' },
      messageId: 'id-1',
    });
    expect(TwilioSmsTransport.readStatusCallback({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' })?.failure).toEqual({ kind: 'transient', code: '30003' });
    expect(TwilioSmsTransport.readStatusCallback({ MessageSid: 'SM1', MessageStatus: 'read' })).toMatchObject({ status: 'delivered', failure: null });
    expect(TwilioSmsTransport.readStatusCallback({ MessageSid: 'SM1', MessageStatus: 'constructor' })).toBeNull();
    expect(TwilioSmsTransport.readStatusCallback({ MessageStatus: 'sent' })).toBeNull();
  });
});
