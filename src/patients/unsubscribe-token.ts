import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click unsubscribe links (RFC 8058) carry the patient id and an HMAC of it: nothing to
 * store, nothing to guess, and they work without a login or a cookie.
 */
export function unsubscribeToken(patientId: string, secret: string): string {
  return `${Buffer.from(patientId).toString('base64url')}.${sign(patientId, secret)}`;
}

export function patientIdFromUnsubscribeToken(token: string, secret: string): string | null {
  const [encoded, mac] = token.split('.');
  if (!encoded || !mac || token.length > 200) return null;
  const patientId = Buffer.from(encoded, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(patientId)) return null;
  const expected = Buffer.from(sign(patientId, secret));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? patientId : null;
}

function sign(patientId: string, secret: string): string {
  return createHmac('sha256', `${secret}:unsubscribe`).update(patientId).digest('base64url');
}

/** RFC 8058 one-click unsubscribe headers for an email to this patient. */
export function unsubscribeHeaders(patientId: string, publicBaseUrl: string, secret: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${publicBaseUrl}/u/${unsubscribeToken(patientId, secret)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
