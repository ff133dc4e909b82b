import { createHash, randomBytes } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import { StaffSession } from './staff-session.entity';

export const SESSION_COOKIE = 'aftercare_session';
export const CSRF_COOKIE = 'aftercare_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Sliding expiry writes last_seen_at at most this often, not on every request. */
export const TOUCH_EVERY_MS = 60_000;

export const hashSessionId = (id: string): Buffer => createHash('sha256').update(id, 'utf8').digest();
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** The named cookie from the Cookie header (no cookie-parser: this is the one cookie we read). */
export function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Lax: sent on top-level navigation (the link in an alert opens signed in), not on cross-site POSTs. */
function cookieOptions(publicBaseUrl: string, httpOnly: boolean): CookieOptions {
  return { httpOnly, sameSite: 'lax', path: '/', secure: publicBaseUrl.startsWith('https:') };
}

export function setSessionCookies(res: Response, publicBaseUrl: string, sessionId: string, csrfToken: string): void {
  res.cookie(SESSION_COOKIE, sessionId, cookieOptions(publicBaseUrl, true));
  res.cookie(CSRF_COOKIE, csrfToken, cookieOptions(publicBaseUrl, false));
}

export function clearSessionCookies(res: Response, publicBaseUrl: string): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(publicBaseUrl, true));
  res.clearCookie(CSRF_COOKIE, cookieOptions(publicBaseUrl, false));
}

export { StaffSession };
