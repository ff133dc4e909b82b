import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Nest's level names (LOG_LEVEL) in pino's words. */
const PINO_LEVEL: Record<string, string> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

const SECRET_AND_PERSONAL = [
  'authorization', 'cookie', 'cookies', 'set-cookie', 'password', 'newPassword', 'currentPassword', 'token', 'accessToken',
  'refreshToken', 'apiKey', 'secret', 'phone', 'email', 'toAddress', 'fromAddress', 'to', 'from', 'name', 'givenName', 'familyName',
  'displayName', 'dateOfBirth', 'body', 'text', 'html', 'subject', 'free_text', 'freeText', 'note', 'notes', 'reason', 'answers',
];

/**
 * Paths pino blanks wherever they appear at the top of a log object or one level down
 * (`logger.info({ patient: { phone } })`), plus the request and response headers that carry credentials.
 */
export const REDACT_PATHS = [
  ...SECRET_AND_PERSONAL.map((k) => (/^[A-Za-z_]\w*$/.test(k) ? k : `["${k}"]`)),
  ...SECRET_AND_PERSONAL.map((k) => (/^[A-Za-z_]\w*$/.test(k) ? `*.${k}` : `*["${k}"]`)),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
];

/** Phone numbers and email addresses inside free-form log messages (a provider's error text names them). */
export function scrubMessage(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]')
    .replace(/\+\d{7,15}\b/g, '[phone]');
}

/** A request's path with the secrets in it masked: form and unsubscribe tokens, and every query value. */
export function loggableUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  const masked = path.replace(/^\/(c|u)\/[^/]+/, '/$1/[token]');
  if (query === undefined) return masked;
  const keys = [...new URLSearchParams(query).keys()];
  return `${masked}?${keys.map((k) => `${encodeURIComponent(k)}=…`).join('&')}`;
}

/** What the logger reads of the settings (AppConfig has these fields; common names no config type). */
export interface LoggingSettings {
  logLevel: string;
  logFormat: 'json' | 'pretty';
  /** Tests capture the lines here instead of stdout. */
  logStream?: NodeJS.WritableStream;
}

function destinationOf(config: LoggingSettings): pino.DestinationStream | NodeJS.WritableStream {
  if (config.logStream) return config.logStream;
  if (config.logFormat === 'pretty') {
    // pino-pretty as a plain stream in this process (no worker thread): readable lines in a terminal.
    const pretty = require('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
  }
  return pino.destination({ fd: 1, sync: false });
}

/** The service's one logger: JSON lines (or pretty on a terminal), personal data and secrets redacted. */
export function createAppLogger(config: LoggingSettings): Logger {
  return pino(
    {
      level: PINO_LEVEL[config.logLevel] ?? 'info',
      base: { service: 'aftercare' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubMessage(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destinationOf(config) as pino.DestinationStream,
  );
}

type IdentifiedRequest = IncomingMessage & { id?: string; originalUrl?: string };

/**
 * One line per request when it finishes: method, path (tokens masked), status, duration and the
 * request id. Headers and bodies are never logged.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IdentifiedRequest) => req.id ?? '',
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    serializers: {
      req: (req: { id?: string; method?: string; url?: string; raw?: IdentifiedRequest }) => ({
        method: req.method,
        url: loggableUrl(req.raw?.originalUrl ?? req.url ?? ''),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: (req: IdentifiedRequest, res: ServerResponse) =>
      `${req.method} ${loggableUrl(req.originalUrl ?? req.url ?? '')} ${res.statusCode}`,
    customErrorMessage: (req: IdentifiedRequest, res: ServerResponse) =>
      `${req.method} ${loggableUrl(req.originalUrl ?? req.url ?? '')} ${res.statusCode}`,
  });
}
