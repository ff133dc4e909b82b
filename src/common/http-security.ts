import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { createHash } from 'node:crypto';
import { PAGE_STYLES } from '../web/layout';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The Content-Security-Policy every response carries: scripts and styles from our own origin
 * only (the console under /app), plus the server-rendered pages' one inline style by hash.
 */
export function contentSecurityPolicy(): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", ...PAGE_STYLES.map(hashOf)],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
  };
}

/** What the security headers read of the settings (AppConfig has these fields; common names no config type). */
export interface HttpSecuritySettings {
  trustProxy: boolean | number | string;
  publicBaseUrl: string;
  corsOrigins: string[];
}

/** Paths whose responses carry patient data: never kept by a browser or a shared cache. */
const PATIENT_DATA = /^\/(v1|c|u)(\/|$)/;

/**
 * Security headers (helmet), no-store on patient data, and CORS only for the configured origins.
 * HSTS only when the public address is https: over plain http it would lock a browser out.
 */
export function useHttpSecurity(app: NestExpressApplication, config: HttpSecuritySettings): void {
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const https = config.publicBaseUrl.startsWith('https:');
  const common = {
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' as const },
    // The docs and the console are same-origin; a cross-origin console uses CORS, not embedding.
    crossOriginResourcePolicy: { policy: 'same-origin' as const },
    // As frame-ancestors 'none' says, for browsers that only read the older header.
    frameguard: { action: 'deny' as const },
  };
  const strict = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy() } });
  // Swagger UI ships inline styles and a data: favicon; its page holds no patient data.
  const docs = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...contentSecurityPolicy(), 'style-src': ["'self'", "'unsafe-inline'"], 'script-src': ["'self'", "'unsafe-inline'"] },
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (PATIENT_DATA.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    (req.path === '/docs' || req.path.startsWith('/docs/') ? docs : strict)(req, res, next);
  });
  if (config.corsOrigins.length) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id'],
      maxAge: 600,
    });
  }
}
