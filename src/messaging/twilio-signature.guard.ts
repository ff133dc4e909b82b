import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * Twilio webhooks must carry a valid X-Twilio-Signature over PUBLIC_BASE_URL + path and the
 * posted form fields. Without an auth token nothing can be verified, so everything is refused.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown>; originalUrl: string; body?: unknown }>();
    const signature = req.headers['x-twilio-signature'];
    const token = this.config.twilioAuthToken;
    if (!token) throw new ForbiddenException('Twilio webhooks are not configured (no TWILIO_AUTH_TOKEN)');
    if (typeof signature !== 'string' || !signature) throw new ForbiddenException('Missing X-Twilio-Signature');
    const url = this.config.publicBaseUrl + req.originalUrl;
    const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
    if (!twilio.validateRequest(token, signature, url, params)) {
      throw new ForbiddenException('Invalid X-Twilio-Signature');
    }
    return true;
  }
}
