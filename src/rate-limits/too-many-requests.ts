import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with Retry-After (seconds, rounded up; the exception filter sets the header). */
export class TooManyRequests extends HttpException {
  readonly retryAfterSeconds: number;
  /** A page to answer with instead of JSON (a patient's page): the filter sends it as HTML. */
  html?: string;
  constructor(what: string, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(`${what}; try again in ${inWords(seconds)}`, HttpStatus.TOO_MANY_REQUESTS);
    this.retryAfterSeconds = seconds;
  }
}

function inWords(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
