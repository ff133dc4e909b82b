import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { StaffRole } from './roles';
import type { Actor } from '../common/actor';

/** Who is calling: a staff member (JWT) or an integration (API key). The clinic comes from here only. */
export interface Principal {
  kind: 'staff' | 'integration';
  id: string;
  clinicId: string;
  role: StaffRole | 'integration';
  /** Set when a browser session cookie authenticated the call (CSRF applies then). */
  session?: { id: string; csrfToken: string };
  /** A staff member with a temporary password: only the password change is open to them. */
  mustChangePassword?: boolean;
}

export type Permission = StaffRole | 'integration';

export const IS_PUBLIC = 'aftercare:public';
export const ALLOWED = 'aftercare:allowed';

/** No credential needed (login, health, patient form, signed webhooks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Open to a staff member who must change their password first (session, password change). */
export const WHILE_PASSWORD_CHANGE_REQUIRED = 'aftercare:while-password-change-required';
export const AllowWhilePasswordChangeRequired = () => SetMetadata(WHILE_PASSWORD_CHANGE_REQUIRED, true);
/** Which roles may call this route; anything else is 403. */
export const Allow = (...who: Permission[]) => SetMetadata(ALLOWED, who);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
});

export function actorOf(p: Principal): Actor {
  return { type: p.kind === 'staff' ? 'staff' : 'integration', id: p.id };
}
