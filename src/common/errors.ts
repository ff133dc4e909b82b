import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError, TypeORMError } from 'typeorm';
import { UNSTORABLE_TEXT } from './storable-text';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * TypeORM refuses a where condition holding undefined or null (invalidWhereValuesBehavior in
 * src/database/data-source.ts) instead of dropping it and matching every row. Such a value came
 * from a request that lacked it: the caller's 400, never a 500 (and never a match on any row).
 */
const INVALID_WHERE_VALUE = /^(Undefined|Null) value encountered in property '[^']*' of a where condition/;

/** Seconds a client is told to wait (Retry-After) while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const UNREACHABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end|Driver not Connected/i;

/**
 * The database could not be reached or dropped the session: refused or reset connections,
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up),
 * 53300 (too many connections), a FATAL while connecting, or the pool's connect timeout.
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  const seen = new Set<unknown>();
  let e = exception as { code?: unknown; message?: unknown; severity?: unknown; driverError?: unknown; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE_CODES.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
    // A FATAL error ends the session: when it is not a query's own, the connection could not be had.
    if (e.severity === 'FATAL' && !(exception instanceof QueryFailedError)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGES.test(e.message)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * Every error leaves as `{ statusCode, error, message }`. A database that cannot be reached is
 * 503 with Retry-After (clients and load balancers try again; nothing was written). Database constraint errors that
 * slipped past validation become 409/400 rather than 500; anything else is logged and 500.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { statusCode, message } = this.describe(exception);
    // A deliberate 5xx (503 not ready) is an answer, not a fault: only unexpected errors are logged with their stack.
    if (statusCode === 503 && !(exception instanceof HttpException)) this.logger.warn(`Database unavailable: ${(exception as Error)?.message ?? exception}`);
    else if (statusCode >= 500 && !(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    // A lookup given no value is refused (400) but is worth a look: some path let it through.
    else if (exception instanceof TypeORMError && !(exception instanceof QueryFailedError)) this.logger.warn(exception.message);
    if (res.headersSent) return;
    // A 429 says when to come back (see src/rate-limits/too-many-requests.ts).
    const retryAfter = (exception as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    if (statusCode === 503) res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    // A patient's page (the form, unsubscribe) refused: a page, not JSON.
    const html = (exception as { html?: unknown })?.html;
    if (exception instanceof HttpException && typeof html === 'string') {
      res.status(statusCode).type('html').send(html);
      return;
    }
    // A few answers carry more than words (the sign-in's clinic choice): `details`, never overriding the three fields.
    const details = exception instanceof HttpException ? (exception as { details?: unknown }).details : undefined;
    res.status(statusCode).json({ ...(details && typeof details === 'object' ? details : {}), statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message });
  }

  private describe(exception: unknown): { statusCode: number; message: string | string[] } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message =
        typeof body === 'object' && body && 'message' in body
          ? (body as { message: string | string[] }).message
          : exception.message;
      return { statusCode: exception.getStatus(), message };
    }
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: 'The database is unavailable; try again shortly' };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception as QueryFailedError & { code?: string }).code;
      if (code === '23505') return { statusCode: HttpStatus.CONFLICT, message: 'A record with these values already exists' };
      if (code === '22P02' || code === '22007' || code === '22008')
        return { statusCode: HttpStatus.BAD_REQUEST, message: 'A value has the wrong format' };
      // NUL in text: refused earlier for JSON bodies; this catches query strings and any other way in.
      if (code === '22021') return { statusCode: HttpStatus.BAD_REQUEST, message: UNSTORABLE_TEXT };
      // Backstops for a missing or disallowed value that validation let through: the caller's input, not our fault.
      if (code === '23502') return { statusCode: HttpStatus.BAD_REQUEST, message: 'A required value is missing' };
      if (code === '23514') return { statusCode: HttpStatus.BAD_REQUEST, message: 'A value is not allowed' };
    }
    if (exception instanceof TypeORMError && INVALID_WHERE_VALUE.test(exception.message)) {
      return { statusCode: HttpStatus.BAD_REQUEST, message: 'A required value is missing' };
    }
    const e = exception as { type?: string; status?: number; message?: string };
    // body-parser errors that Nest does not map itself (bad JSON it does) carry their own status.
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return { statusCode: e.status, message: e.type === 'entity.too.large' ? 'Request body is too large' : (e.message ?? 'Bad request') };
    }
    return { statusCode: 500, message: 'Internal server error' };
  }
}
