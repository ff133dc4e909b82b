import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOWED, IS_PUBLIC, Permission, Principal } from '../common/principal';
import { AuthService } from './auth.service';

/** Global guard: every route needs a credential unless @Public, and a role in @Allow. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest();
    const principal = await this.authenticate(req.headers);
    req.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Permission[]>(ALLOWED, targets);
    // A route without @Allow is a mistake: deny rather than open it to every role.
    if (!allowed || !allowed.includes(principal.role)) {
      throw new ForbiddenException(`This action is not allowed for role ${principal.role}`);
    }
    return true;
  }

  private async authenticate(headers: Record<string, string | undefined>): Promise<Principal> {
    const apiKey = headers['x-api-key'];
    if (apiKey) return this.auth.principalForApiKey(apiKey);
    const authz = headers['authorization'];
    if (!authz) throw new UnauthorizedException('Missing credentials: send Authorization: Bearer <token> or X-API-Key');
    const [scheme, token] = authz.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException('Authorization header must be "Bearer <token>"');
    }
    if (token.startsWith('ak_')) return this.auth.principalForApiKey(token);
    return this.auth.principalForJwt(token);
  }
}
