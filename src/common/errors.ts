import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
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
 * Every error leaves as `{ statusCode, error, message }`. Database constraint errors that
 * slipped past validation become 409/400 rather than 500; anything else is logged and 500.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { statusCode, message } = this.describe(exception);
    // A deliberate 5xx (503 not ready) is an answer, not a fault: only unexpected errors are logged with their stack.
    if (statusCode >= 500 && !(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (res.headersSent) return;
    res.status(statusCode).json({ statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message });
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
    const e = exception as { type?: string; status?: number; message?: string };
    // body-parser errors that Nest does not map itself (bad JSON it does) carry their own status.
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return { statusCode: e.status, message: e.type === 'entity.too.large' ? 'Request body is too large' : (e.message ?? 'Bad request') };
    }
    return { statusCode: 500, message: 'Internal server error' };
  }
}
