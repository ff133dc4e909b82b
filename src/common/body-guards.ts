import { BadRequestException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Deeper JSON than this is refused before it is parsed (validation and transforms recurse). */
export const MAX_JSON_DEPTH = 32;
/** The body size Nest's default parsers used before: kept. */
export const MAX_BODY_BYTES = 100 * 1024;

/** Keys that reach Object.prototype or a constructor when an object is merged or assigned. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The deepest nesting of arrays and objects in raw JSON, stopping as soon as it passes `max`.
 * A byte scan without recursion, so 50,000 levels cost a loop, not a stack.
 */
export function jsonDepthExceeds(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
      continue;
    }
    if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return true;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return false;
}

/** The path of the first forbidden key in a parsed value (depth already bounded), or null. */
export function forbiddenKeyPath(value: unknown, path = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const inner = forbiddenKeyPath((value as Record<string, unknown>)[key], here);
    if (inner) return inner;
  }
  return null;
}

/** The first forbidden key in a query string or form body, bracket syntax included (a[__proto__][x]=1). */
export function forbiddenKeyInParams(params: string): string | null {
  for (const key of new URLSearchParams(params).keys()) {
    if (key.split(/[[\].]+/).some((part) => FORBIDDEN_KEYS.has(part))) return key;
  }
  return null;
}

const forbidden = (key: string) =>
  new BadRequestException(`Field name "${key}" is not allowed (__proto__, constructor and prototype are refused)`);

/**
 * The body parsers with limits (size, JSON depth) and a refusal of prototype keys in JSON, form
 * bodies and query strings. Registered before Nest's defaults, which then see theirs as applied.
 */
export function useBodyGuards(app: NestExpressApplication): void {
  app.useBodyParser('json', {
    limit: MAX_BODY_BYTES,
    verify: (_req: unknown, _res: unknown, buf: Buffer) => {
      if (jsonDepthExceeds(buf, MAX_JSON_DEPTH)) {
        throw Object.assign(new Error(`JSON is nested too deeply (more than ${MAX_JSON_DEPTH} levels)`), { status: 400, type: 'entity.too.deep' });
      }
    },
  });
  app.useBodyParser('urlencoded', {
    extended: true,
    limit: MAX_BODY_BYTES,
    // qs would drop these silently; the raw form is checked so the caller hears why.
    verify: (_req: unknown, _res: unknown, buf: Buffer) => {
      const key = forbiddenKeyInParams(buf.toString('utf8'));
      if (key) throw Object.assign(forbidden(key), { status: 400 });
    },
  });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const q = req.originalUrl.indexOf('?');
    const key = (q >= 0 && forbiddenKeyInParams(req.originalUrl.slice(q + 1))) || (req.is('json') && forbiddenKeyPath(req.body));
    next(key ? forbidden(key) : undefined);
  });
}
