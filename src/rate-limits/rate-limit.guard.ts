import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { fill, localeFromAcceptLanguage, textsFor } from '../protocols/texts';
import { escapeHtml, page } from '../web/layout';
import { RateLimitStore } from './rate-limit.store';
import { TooManyRequests } from './too-many-requests';

/** The public surfaces, each with its own per-address limit (AppConfig.rateLimits). */
export type RateLimitPolicy = 'form' | 'webhook' | 'login';

const RATE_LIMIT = 'aftercare:rate-limit';
/** Limits requests to this route (or controller) per client address, across every instance. */
export const RateLimit = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT, policy);

/** Global: a route marked @RateLimit counts each request against its policy's bucket for the address. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT, [ctx.getHandler(), ctx.getClass()]);
    if (!policy || ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const limit = this.limitOf(policy);
    const hit = await this.store.hit(`${policy}:${clientAddress(req)}`, { limit, windowMs: 60_000 });
    if (!hit.allowed) {
      const refused = new TooManyRequests('Too many requests from your address', hit.retryAfterMs);
      // A patient on the form or the unsubscribe page gets a page in their browser's language, not JSON.
      if (policy === 'form') refused.html = busyPage(req.headers['accept-language'], refused.retryAfterSeconds);
      throw refused;
    }
    return true;
  }

  private limitOf(policy: RateLimitPolicy): number {
    const r = this.config.rateLimits;
    return policy === 'form' ? r.formPerMinute : policy === 'webhook' ? r.webhookPerMinute : r.loginPerMinute;
  }
}

/** The client's address as Express sees it (honours the app's `trust proxy` setting). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

/** The page a patient sees when their address has made too many requests (429). */
export function busyPage(acceptLanguage: string | undefined, seconds: number): string {
  const lang = localeFromAcceptLanguage(acceptLanguage);
  const t = textsFor(lang).busy;
  return page(t.title, `<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(fill(t.text, { seconds }))}</p>`, { lang });
}
