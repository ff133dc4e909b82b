import type { ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiExceptionFilter, isDatabaseUnavailable } from './errors';

/** What the filter answers for a database error that slipped past validation. */
function answerFor(code: string): { status: number; body: unknown } {
  const out = { status: 0, body: undefined as unknown };
  const res = {
    headersSent: false,
    status(s: number) {
      out.status = s;
      return this;
    },
    json(b: unknown) {
      out.body = b;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(new QueryFailedError('INSERT …', [], Object.assign(new Error('db'), { code })), host);
  return out;
}

describe('ApiExceptionFilter and database errors', () => {
  it.each([
    ['23505', 409, 'A record with these values already exists'],
    ['22021', 400, 'Text contains a character that cannot be stored'],
    ['23502', 400, 'A required value is missing'],
    ['23514', 400, 'A value is not allowed'],
    ['22P02', 400, 'A value has the wrong format'],
  ])('maps %s to %d', (code, status, message) => {
    expect(answerFor(code)).toEqual({ status, body: { statusCode: status, error: status === 409 ? 'Conflict' : 'Bad Request', message } });
  });

  it('keeps anything else a 500', () => {
    expect(answerFor('40001').status).toBe(500);
  });
});

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['an administrator shutdown (57P01)', new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))],
    ['a connection exception (08006)', new QueryFailedError('SELECT 1', [], Object.assign(new Error('connection failure'), { code: '08006' }))],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['a FATAL while connecting', Object.assign(new Error('database "x" is not currently accepting connections'), { code: '55000', severity: 'FATAL' })],
  ])('is true for %s', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it('is false for a query the database refused', () => {
    expect(isDatabaseUnavailable(new QueryFailedError('INSERT', [], Object.assign(new Error('dup'), { code: '23505', severity: 'ERROR' })))).toBe(false);
  });
});
