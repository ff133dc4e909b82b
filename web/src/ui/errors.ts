import { ApiError, ConnectionError } from '../api/client';

/**
 * An error in words a person can act on. Pages pass `overrides` for statuses that mean something
 * particular there (a 401 on the sign-in form is a wrong password, not an ended session).
 */
export function describeError(err: unknown, overrides: Partial<Record<number, string>> = {}): string {
  if (err instanceof ConnectionError) return 'Aftercare cannot be reached. Check your connection; it will retry by itself.';
  if (err instanceof ApiError) {
    const own = overrides[err.statusCode];
    if (own) return own;
    if (err.statusCode === 429) return `Too many attempts. ${waitFor(err.retryAfterSeconds)}`;
    if (err.statusCode === 401) return 'Your session has ended. Sign in again.';
    if (err.statusCode >= 500) return 'Something went wrong in Aftercare. Try again; if it keeps happening, tell your administrator.';
    return sentence(err.messages.join('. '));
  }
  return 'Something went wrong in the console. Reload the page and try again.';
}

export function waitFor(seconds: number | null): string {
  if (!seconds) return 'Wait a moment and try again.';
  if (seconds < 90) return `Try again in ${Math.ceil(seconds)} seconds.`;
  return `Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return 'The request was refused.';
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}
