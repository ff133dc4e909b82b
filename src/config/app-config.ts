import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  IsEmail,
} from 'class-validator';
import { createPrivateKey, KeyObject } from 'node:crypto';
import { IsE164 } from '../common/validators';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(String(value).toLowerCase());

/** The environment the service accepts; validated once at boot. */
export class EnvironmentVariables {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The service's own login (a member of aftercare_app); DATABASE_URL stays the owner that runs migrations. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'APP_DATABASE_URL must be a postgres:// URL' })
  APP_DATABASE_URL?: string;

  /** The role the service's connections act as; "none" keeps the login's own role (not recommended). */
  @IsOptional()
  @Matches(/^([a-z_][a-z0-9_]{0,62}|none)$/, { message: 'DATABASE_ROLE must be a lower-case PostgreSQL role name (e.g. aftercare_app) or "none"' })
  DATABASE_ROLE?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(2) @Max(200)
  DATABASE_POOL_MAX?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  // Paths are appended to it (/c/…, /webhooks/…): a query or fragment would end up in the middle of every link.
  @Matches(/^[^?#]*$/, { message: 'PUBLIC_BASE_URL must not have a query string or fragment' })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional() @IsString()
  EMAIL_FROM?: string;

  @IsOptional()
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits' })
  TWILIO_ACCOUNT_SID?: string;

  @IsOptional() @IsString() @MinLength(8)
  TWILIO_AUTH_TOKEN?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'TWILIO_API_URL must be an http(s) URL' })
  TWILIO_API_URL?: string;

  @IsOptional()
  @Matches(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, { message: 'TWILIO_FROM must be an E.164 number or a messaging service SID (MG…)' })
  TWILIO_FROM?: string;

  @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(60)
  ACCESS_TOKEN_TTL_SECONDS?: number;

  @IsOptional() @IsString() @MinLength(1)
  BOOTSTRAP_CLINIC_NAME?: string;

  @IsOptional() @IsEmail({}, { message: 'BOOTSTRAP_ADMIN_EMAIL must be an email address' })
  BOOTSTRAP_ADMIN_EMAIL?: string;

  @IsOptional() @IsString() @MinLength(12, { message: 'BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters' })
  BOOTSTRAP_ADMIN_PASSWORD?: string;

  @IsOptional() @IsString()
  BOOTSTRAP_TIME_ZONE?: string;

  @IsOptional() @IsE164({ message: 'BOOTSTRAP_CLINIC_PHONE must be a phone number in E.164 format, e.g. +447700900123' })
  BOOTSTRAP_CLINIC_PHONE?: string;

  @IsOptional() @Transform(toBool)
  MIGRATIONS_RUN?: boolean;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0)
  DISPATCH_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  DISPATCH_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  EMBEDDED_PG_PORT?: number;

  @IsOptional() @IsString()
  DATA_DIR?: string;

  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL?: string;

  @IsOptional() @Transform(toBool)
  DEV_OUTBOX?: boolean;

  @IsOptional() @IsString()
  AUDIT_SIGNING_KEY?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0)
  AUDIT_CHECKPOINT_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0)
  SIGNAL_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'ESCALATE_URGENT_AFTER_MINUTES must be a whole number of minutes' }) @Min(1) @Max(24 * 60)
  ESCALATE_URGENT_AFTER_MINUTES?: number;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'ESCALATE_HIGH_AFTER_HOURS must be a whole number of hours' }) @Min(1) @Max(30 * 24)
  ESCALATE_HIGH_AFTER_HOURS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0)
  ESCALATION_INTERVAL_MS?: number;

  /** Express "trust proxy": true, false, a hop count, or a comma list of addresses/subnets/names (loopback, uniquelocal). */
  @IsOptional()
  @Matches(/^(true|false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, { message: 'TRUST_PROXY must be true, false, a hop count or a comma list of addresses, subnets or names (loopback, linklocal, uniquelocal)' })
  TRUST_PROXY?: string;

  /** Browser origins allowed by CORS, comma separated (https://console.example.com); unset: CORS off. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,/]+\/?(\s*,\s*https?:\/\/[^\s,/]+\/?)*$/, { message: 'CORS_ORIGINS must be a comma list of origins like https://console.example.com (scheme and host, no path)' })
  CORS_ORIGINS?: string;

  @IsOptional() @Transform(toBool)
  API_DOCS?: boolean;

  /** Bearer token for /metrics; unset: /metrics answers 404. */
  @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsOptional() @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: string;
}

export interface AppConfig {
  /** The owner's connection: migrations run here (and the tests' superuser checks). */
  databaseUrl?: string;
  /** The service's own connection when it has a login of its own; else databaseUrl. */
  appDatabaseUrl?: string;
  /** Every service connection acts as this role (SET ROLE at connect); null: the login's own. */
  databaseRole: string | null;
  /** Connections per instance; a transaction holds one, so this bounds concurrent writes. */
  databasePoolMax: number;
  /** The database is the embedded one started by this process (a newcomer's first run). */
  embeddedDatabase: boolean;
  /** Show unsent messages at /dev/outbox; DEV_OUTBOX, else only on the embedded database. */
  devOutbox: boolean;
  port: number;
  publicBaseUrl: string;
  smtpUrl?: string;
  emailFrom: string;
  twilio?: { accountSid: string; authToken: string; apiUrl?: string; from?: string };
  /** Webhook signatures are checked with this token even when outbound SMS goes to the outbox. */
  twilioAuthToken?: string;
  jwtSecret: string;
  /** True when JWT_SECRET was not given and a random one was made (tokens die with the process). */
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  bootstrap?: { clinicName: string; adminEmail: string; adminPassword?: string; timeZone: string; phone?: string };
  migrationsRun: boolean;
  /** Create the first clinic at start when none exists (off in tests and the CLI). */
  bootstrapOnStart: boolean;
  dispatchIntervalMs: number;
  /** Check-ins one instance sends at once. */
  dispatchConcurrency: number;
  embeddedPgPort: number;
  dataDir: string;
  logLevel: string;
  /** PEM PKCS#8 Ed25519 private key that signs audit checkpoints; unset: see src/audit/signing-key.ts. */
  auditSigningKey?: string;
  /** Scheduled checkpoints of every clinic whose chain moved; 0 turns them off. */
  auditCheckpointIntervalMs: number;
  /** Scheduled safety-signal detection over every clinic; 0 turns it off. */
  signalIntervalMs: number;
  /** An urgent flag not acknowledged this long goes to every practitioner and admin. */
  escalateUrgentAfterMinutes: number;
  /** The same for a high one. */
  escalateHighAfterHours: number;
  /** How often the escalation tick runs; 0 turns it off. */
  escalationIntervalMs: number;
  /** Express "trust proxy" (TRUST_PROXY): who may set X-Forwarded-For/-Proto; loopback by default. */
  trustProxy: boolean | number | string;
  /** Origins CORS allows (CORS_ORIGINS); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** Serve the API docs at /docs (API_DOCS); on with the embedded database, off with DATABASE_URL. */
  apiDocs: boolean;
  /** Bearer token for /metrics (METRICS_TOKEN); unset: /metrics is 404. */
  metricsToken?: string;
  /** json: one JSON object a line; pretty: coloured lines for a terminal (LOG_FORMAT, else pretty on a TTY). */
  logFormat: 'json' | 'pretty';
  /** Where logs go instead of stdout (tests capture them); never from the environment. */
  logStream?: NodeJS.WritableStream;
}

export class ConfigError extends Error {}

/** Validates the environment and returns typed settings; a bad value is named in the error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable (FOO= in a compose file) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(EnvironmentVariables, given, { enableImplicitConversion: false });
  const errors = validateSync(parsed, { skipMissingProperties: false, whitelist: false });
  if (errors.length) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid environment variables:\n${lines.join('\n')}`);
  }
  const twilioParts = [parsed.TWILIO_ACCOUNT_SID, parsed.TWILIO_AUTH_TOKEN].filter(Boolean).length;
  if (twilioParts === 1) {
    throw new ConfigError(
      'Invalid environment variables:\n  TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together',
    );
  }
  const bootstrapParts = [parsed.BOOTSTRAP_CLINIC_NAME, parsed.BOOTSTRAP_ADMIN_EMAIL].filter(Boolean).length;
  if (bootstrapParts === 1) {
    throw new ConfigError(
      'Invalid environment variables:\n  BOOTSTRAP_CLINIC_NAME and BOOTSTRAP_ADMIN_EMAIL must be set together',
    );
  }
  // Patients' links and Twilio's signature are built from it; a localhost default would break both silently.
  if (!parsed.PUBLIC_BASE_URL && (parsed.SMTP_URL || parsed.TWILIO_ACCOUNT_SID || parsed.TWILIO_AUTH_TOKEN || parsed.TWILIO_FROM || parsed.TWILIO_API_URL)) {
    throw new ConfigError(
      'Invalid environment variables:\n  PUBLIC_BASE_URL must be set when SMTP_URL or TWILIO_* is set (it is the address in patients\' links and the URL Twilio signs)',
    );
  }
  if (parsed.APP_DATABASE_URL && !parsed.DATABASE_URL) {
    throw new ConfigError(
      'Invalid environment variables:\n  APP_DATABASE_URL needs DATABASE_URL too (the owner that runs the migrations)',
    );
  }
  const auditSigningKey = parsed.AUDIT_SIGNING_KEY ? parseAuditSigningKey(parsed.AUDIT_SIGNING_KEY) : undefined;
  const port = parsed.PORT ?? 3000;
  const jwtSecretGenerated = !parsed.JWT_SECRET;
  return {
    databaseUrl: parsed.DATABASE_URL,
    appDatabaseUrl: parsed.APP_DATABASE_URL,
    databaseRole: parsed.DATABASE_ROLE === 'none' ? null : (parsed.DATABASE_ROLE ?? 'aftercare_app'),
    databasePoolMax: parsed.DATABASE_POOL_MAX ?? 20,
    embeddedDatabase: false,
    // Without DATABASE_URL main.ts starts the embedded database (embeddedDatabase): a newcomer's first run.
    devOutbox: parsed.DEV_OUTBOX ?? !parsed.DATABASE_URL,
    port,
    publicBaseUrl: (parsed.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    smtpUrl: parsed.SMTP_URL,
    emailFrom: parsed.EMAIL_FROM ?? 'Aftercare <aftercare@localhost>',
    twilio:
      parsed.TWILIO_ACCOUNT_SID && parsed.TWILIO_AUTH_TOKEN
        ? {
            accountSid: parsed.TWILIO_ACCOUNT_SID,
            authToken: parsed.TWILIO_AUTH_TOKEN,
            apiUrl: parsed.TWILIO_API_URL?.replace(/\/+$/, ''),
            from: parsed.TWILIO_FROM,
          }
        : undefined,
    twilioAuthToken: parsed.TWILIO_AUTH_TOKEN,
    jwtSecret: parsed.JWT_SECRET ?? require('node:crypto').randomBytes(48).toString('base64url'),
    jwtSecretGenerated,
    accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS ?? 8 * 3600,
    bootstrap: parsed.BOOTSTRAP_CLINIC_NAME
      ? {
          clinicName: parsed.BOOTSTRAP_CLINIC_NAME,
          adminEmail: parsed.BOOTSTRAP_ADMIN_EMAIL!,
          adminPassword: parsed.BOOTSTRAP_ADMIN_PASSWORD,
          timeZone: parsed.BOOTSTRAP_TIME_ZONE ?? 'Europe/London',
          phone: parsed.BOOTSTRAP_CLINIC_PHONE,
        }
      : undefined,
    migrationsRun: parsed.MIGRATIONS_RUN ?? true,
    bootstrapOnStart: true,
    dispatchIntervalMs: parsed.DISPATCH_INTERVAL_MS ?? 15000,
    dispatchConcurrency: parsed.DISPATCH_CONCURRENCY ?? 8,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT ?? 54329,
    dataDir: parsed.DATA_DIR ?? '.data',
    logLevel: parsed.LOG_LEVEL ?? 'log',
    auditSigningKey,
    auditCheckpointIntervalMs: parsed.AUDIT_CHECKPOINT_INTERVAL_MS ?? 3600_000,
    signalIntervalMs: parsed.SIGNAL_INTERVAL_MS ?? 3600_000,
    escalateUrgentAfterMinutes: parsed.ESCALATE_URGENT_AFTER_MINUTES ?? 30,
    escalateHighAfterHours: parsed.ESCALATE_HIGH_AFTER_HOURS ?? 24,
    escalationIntervalMs: parsed.ESCALATION_INTERVAL_MS ?? 60_000,
    trustProxy: trustProxyOf(parsed.TRUST_PROXY),
    corsOrigins: parsed.CORS_ORIGINS ? parsed.CORS_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, '')) : [],
    // Like devOutbox: a newcomer's embedded first run shows the docs; a deployment opts in.
    apiDocs: parsed.API_DOCS ?? !parsed.DATABASE_URL,
    metricsToken: parsed.METRICS_TOKEN,
    logFormat: (parsed.LOG_FORMAT as 'json' | 'pretty' | undefined) ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  };
}

function trustProxyOf(value: string | undefined): boolean | number | string {
  if (value === undefined) return 'loopback';
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((v) => v.trim()).join(',');
}

/**
 * Checks that AUDIT_SIGNING_KEY is a PEM PKCS#8 Ed25519 private key and returns it as PEM.
 * A one-line value with literal "\n" (common in .env files and secret stores) is accepted too.
 */
function parseAuditSigningKey(value: string): string {
  const pem = value.includes('\\n') && !value.includes('\n') ? value.replace(/\\n/g, '\n') : value;
  const fail = (why: string) =>
    new ConfigError(`Invalid environment variables:\n  AUDIT_SIGNING_KEY must be a PEM PKCS#8 Ed25519 private key (-----BEGIN PRIVATE KEY-----): ${why}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw fail('it does not parse as a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw fail(`it is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export const APP_CONFIG = Symbol('APP_CONFIG');
