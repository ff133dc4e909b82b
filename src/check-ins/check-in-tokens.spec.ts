import { hashToken, isTokenShaped, tokenStateOf } from './check-in-tokens.service';

describe('check-in tokens', () => {
  const now = new Date('2026-03-05T10:00:00Z');
  const later = new Date('2026-03-06T10:00:00Z');

  it('keeps a SHA-256 of the token, never the token', () => {
    expect(hashToken('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('accepts only the shape it issues (43 base64url characters)', () => {
    expect(isTokenShaped('A'.repeat(43))).toBe(true);
    expect(isTokenShaped('A'.repeat(42))).toBe(false);
    expect(isTokenShaped(`${'A'.repeat(42)}=`)).toBe(false);
  });

  it('tells what a link is worth from its check-in', () => {
    expect(tokenStateOf({ status: 'sent', expiresAt: later }, now)).toBe('open');
    expect(tokenStateOf({ status: 'scheduled', expiresAt: later }, now)).toBe('open');
    expect(tokenStateOf({ status: 'answered', expiresAt: now }, later)).toBe('answered');
    expect(tokenStateOf({ status: 'expired', expiresAt: later }, now)).toBe('expired');
    expect(tokenStateOf({ status: 'sent', expiresAt: now }, now)).toBe('expired');
    expect(tokenStateOf({ status: 'cancelled', expiresAt: later }, now)).toBe('closed');
    expect(tokenStateOf({ status: 'failed', expiresAt: later }, now)).toBe('closed');
  });
});
