import { patientIdFromUnsubscribeToken, unsubscribeToken } from './unsubscribe-token';

describe('unsubscribe tokens', () => {
  const id = '0b7e5f0a-6a57-4c1e-9d8e-3f1b2a4c5d6e';
  it('round-trips with the same secret', () => {
    expect(patientIdFromUnsubscribeToken(unsubscribeToken(id, 'secret-a'), 'secret-a')).toBe(id);
  });
  it('refuses another secret, an altered id or garbage', () => {
    const token = unsubscribeToken(id, 'secret-a');
    expect(patientIdFromUnsubscribeToken(token, 'secret-b')).toBeNull();
    const other = Buffer.from('1b7e5f0a-6a57-4c1e-9d8e-3f1b2a4c5d6e').toString('base64url');
    expect(patientIdFromUnsubscribeToken(`${other}.${token.split('.')[1]}`, 'secret-a')).toBeNull();
    expect(patientIdFromUnsubscribeToken('nonsense', 'secret-a')).toBeNull();
  });
});
