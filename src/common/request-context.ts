import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** What the code serving one HTTP request can know about it without passing it down. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The request being served, or undefined outside one (the dispatcher's ticks, the CLI). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` as part of the request `ctx` (tests, and work started for a request elsewhere). */
export function runInRequest<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** A caller's X-Request-Id is kept only when it is a plain token: it ends up in logs and the audit log. */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;

export function requestIdOf(given: unknown): string {
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

type WithId = Request & { id?: string };

/** First middleware: gives the request its id and returns it in the response. */
export function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdOf(req.headers['x-request-id']);
  (req as WithId).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}

/**
 * Enters the request's context. Registered after the body parsers: their stream callbacks run
 * outside any context entered before them.
 */
export function enterRequestContext(req: Request, _res: Response, next: NextFunction): void {
  storage.run({ requestId: (req as WithId).id ?? requestIdOf(undefined) }, next);
}
