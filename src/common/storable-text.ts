import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

export const UNSTORABLE_TEXT = 'Text contains a character that cannot be stored';

/** Where a value (or a key) holds a NUL character, which PostgreSQL text cannot store; null when nowhere. */
export function unstorableTextAt(value: unknown, path = 'body'): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = unstorableTextAt(value[i], `${path}[${i}]`);
      if (at) return at;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return path;
      const at = unstorableTextAt(v, path === 'body' ? k : `${path}.${k}`);
      if (at) return at;
    }
  }
  return null;
}

/** JSON bodies with a NUL anywhere are a 400 before any handler runs, instead of a 500 from the database. */
@Injectable()
export class StorableTextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    if (req?.is?.('json')) {
      const at = unstorableTextAt(req.body);
      if (at) throw new BadRequestException(`${UNSTORABLE_TEXT} (a NUL character in ${at})`);
    }
    return next.handle();
  }
}
