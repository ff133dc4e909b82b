import { classifyFailure } from './delivery-failure';

describe('classifyFailure', () => {
  it.each([
    ['20429', true, 'transient'],
    ['30003', true, 'transient'],
    ['http-429', true, 'transient'],
    ['21610', false, 'opted_out'],
    ['21211', false, 'invalid_contact'],
    ['30005', false, 'invalid_contact'],
    ['30006', false, 'invalid_contact'],
    ['30007', false, 'spam_filtered'],
    ['smtp-rcpt-550', false, 'invalid_contact'],
    ['smtp-554', false, 'permanent'],
    ['smtp-451', true, 'transient'],
    [null, true, 'transient'],
  ])('%s (transient %s) is %s', (code, transient, kind) => {
    expect(classifyFailure(code as string | null, transient as boolean)).toBe(kind);
  });
});
