import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ALLOWED, IS_PUBLIC, Permission, Principal, WHILE_PASSWORD_CHANGE_REQUIRED } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuthService } from './auth.service';
import { cookieOf, CSRF_HEADER, SESSION_COOKIE } from './sessions';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: every route needs a credential unless @Public, and a role in @Allow. Credentials:
 * an API key, a bearer JWT, or the browser session cookie; with the cookie, a change (any method
 * but GET/HEAD/OPTIONS) must also prove it comes from our page (CSRF token and Origin).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly ownOrigin: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ownOrigin = new URL(config.publicBaseUrl).origin;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principal = await this.authenticate(req);
    if (principal.session) this.checkCsrf(req, principal.session.csrfToken);
    req.principal = principal;
    if (principal.mustChangePassword && !this.reflector.getAllAndOverride<boolean>(WHILE_PASSWORD_CHANGE_REQUIRED, targets)) {
      throw new ForbiddenException('Password change required: set a new password with POST /v1/auth/password before anything else');
    }
    const allowed = this.reflector.getAllAndOverride<Permission[]>(ALLOWED, targets);
    // A route without @Allow is a mistake: deny rather than open it to every role.
    if (!allowed || !allowed.includes(principal.role)) {
      throw new ForbiddenException(`This action is not allowed for role ${principal.role}`);
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const headers = req.headers as Record<string, string | undefined>;
    const apiKey = headers['x-api-key'];
    if (apiKey) return this.auth.principalForApiKey(apiKey);
    const authz = headers['authorization'];
    if (!authz) {
      const session = cookieOf(req, SESSION_COOKIE);
      if (session) return this.auth.principalForSession(session);
      throw new UnauthorizedException('Missing credentials: send Authorization: Bearer <token> or X-API-Key, or sign in');
    }
    const [scheme, token] = authz.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException('Authorization header must be "Bearer <token>"');
    }
    if (token.startsWith('ak_')) return this.auth.principalForApiKey(token);
    return this.auth.principalForJwt(token);
  }

  /** Double submit bound to the session, plus the Origin a browser sends with every cross-site POST. */
  private checkCsrf(req: Request, expected: string): void {
    if (SAFE_METHODS.has(req.method)) return;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.ownOrigin) {
      throw new ForbiddenException(`CSRF check failed: the request comes from ${origin}, not from ${this.ownOrigin}`);
    }
    const sent = req.headers[CSRF_HEADER];
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    const want = Buffer.from(expected);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new ForbiddenException(
        sent ? 'CSRF check failed: the X-CSRF-Token header does not match this session' : 'CSRF check failed: send the X-CSRF-Token header (the aftercare_csrf cookie\'s value) with every change made with the session cookie',
      );
    }
  }
}
