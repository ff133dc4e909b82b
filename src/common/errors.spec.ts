import type { ArgumentsHost } from '@nestjs/common';
import { QueryFailedError, TypeORMError } from 'typeorm';
import { ApiExceptionFilter, isDatabaseUnavailable } from './errors';

/** What the filter answers for a database error that slipped past validation. */
function answerFor(code: string | Error): { status: number; body: unknown } {
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
  const error = typeof code === 'string' ? new QueryFailedError('INSERT …', [], Object.assign(new Error('db'), { code })) : code;
  new ApiExceptionFilter().catch(error, host);
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
    expect(answerFor(new TypeORMError('Something else went wrong')).status).toBe(500);
  });

  it.each(['Undefined', 'Null'])('answers a where condition given %s (TypeORM refuses it) with 400, not 500', (kind) => {
    // TypeORM's own words (SelectQueryBuilder, invalidWhereValuesBehavior: throw).
    const error = new TypeORMError(`${kind} value encountered in property 'StaffUser.id' of a where condition. Set 'invalidWhereValuesBehavior.${kind.toLowerCase()}' to 'ignore' or 'sql-null' in connection options to skip properties with ${kind.toLowerCase()} values.`);
    expect(answerFor(error)).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'A required value is missing' } });
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
