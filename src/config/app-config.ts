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
  getMetadataStorage,
} from 'class-validator';
import { createPrivateKey, KeyObject, randomBytes } from 'node:crypto';
import { passwordProblem } from '../common/password-policy';
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

  /** The interface to listen on: loopback on the embedded database, all interfaces with DATABASE_URL. */
  @IsOptional()
  @Matches(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+|[A-Za-z0-9.-]+)$/, { message: 'HOST must be an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0' })
  HOST?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  // Paths are appended to it (/c/…, /webhooks/…): a query or fragment would end up in the middle of every link.
  @Matches(/^[^?#]*$/, { message: 'PUBLIC_BASE_URL must not have a query string or fragment' })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional() @IsString()
  @Matches(/^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, { message: 'EMAIL_FROM must be an address, e.g. aftercare@clinic.example or "Aftercare <aftercare@clinic.example>"' })
  EMAIL_FROM?: string;

  /** Further domains a clinic's emailFrom may use (comma-separated), besides EMAIL_FROM's own. */
  @IsOptional()
  @Matches(/^\s*[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\s*(,\s*[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\s*)*$/, { message: 'EMAIL_FROM_DOMAINS must be a comma-separated list of domains, e.g. clinic-a.example,clinic-b.example' })
  EMAIL_FROM_DOMAINS?: string;

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

  /** Minutes a browser session may go unused before it ends. */
  @IsOptional() @Transform(toInt) @IsInt({ message: 'SESSION_IDLE_MINUTES must be a whole number of minutes' }) @Min(1) @Max(30 * 24 * 60)
  SESSION_IDLE_MINUTES?: number;

  /** Requests per minute per client address to the patient form (/c/:token) and unsubscribe page (/u/:token). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_FORM_PER_MINUTE?: number;

  /** Requests per minute per client address to /webhooks/twilio/*. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_WEBHOOK_PER_MINUTE?: number;

  /** Sign-in attempts per minute per client address, right or wrong. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_LOGIN_PER_MINUTE?: number;

  /** Failed sign-ins per hour from one client address, across all accounts. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  LOGIN_FAILURES_PER_ADDRESS?: number;

  /** Failed sign-ins per hour on one account, across all addresses. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  LOGIN_FAILURES_PER_ACCOUNT?: number;

  /** Failed sign-ins on one account from one address before each further one doubles a delay. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100)
  LOGIN_FREE_FAILURES?: number;

  /** The longest that delay grows to. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  LOGIN_DELAY_MAX_SECONDS?: number;

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

  @IsOptional() @Transform(toInt) @IsInt({ message: 'DISPATCH_LEASE_MS must be a whole number of milliseconds' }) @Min(5_000) @Max(3600_000)
  DISPATCH_LEASE_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  EMBEDDED_PG_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'SHUTDOWN_GRACE_MS must be a whole number of milliseconds' }) @Min(0) @Max(600_000)
  SHUTDOWN_GRACE_MS?: number;

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

  /** Patients' photos in an S3-compatible store (unset: in PostgreSQL). The bucket must exist. */
  @IsOptional()
  @Matches(/^(?!-)[a-z0-9.-]{3,63}(?<!-)$/, { message: 'S3_BUCKET must be a bucket name: 3-63 lower-case letters, digits, dots and hyphens' })
  S3_BUCKET?: string;

  @IsOptional() @Matches(/^[a-z]{2}(-[a-z0-9]+)+-\d+$|^[a-z0-9-]{2,}$/, { message: 'S3_REGION must be a region name, e.g. eu-central-1' })
  S3_REGION?: string;

  /** An S3-compatible service's address (MinIO, Ceph, R2, …); unset: AWS for S3_REGION. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'S3_ENDPOINT must be an http(s) URL, e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000' })
  S3_ENDPOINT?: string;

  @IsOptional() @IsString() @MinLength(1)
  S3_ACCESS_KEY_ID?: string;

  @IsOptional() @IsString() @MinLength(1)
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style addresses (http://host/bucket/key), which most self-hosted stores need; default true with S3_ENDPOINT. */
  @IsOptional() @Transform(toBool)
  S3_FORCE_PATH_STYLE?: boolean;

  /** A folder inside the bucket for this service's photos, e.g. aftercare/ (default photos/). */
  @IsOptional() @Matches(/^[A-Za-z0-9!_.*'()\/-]{0,200}$/, { message: 'S3_PREFIX must be a key prefix of letters, digits and !_.*\'()/- (at most 200)' })
  S3_PREFIX?: string;
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
  /** Interface the HTTP server listens on (HOST). */
  host: string;
  publicBaseUrl: string;
  smtpUrl?: string;
  emailFrom: string;
  /** Domains a clinic's own emailFrom may use: EMAIL_FROM's and EMAIL_FROM_DOMAINS (lower case). */
  emailFromDomains: string[];
  /** What each channel goes through; 'off' means the channel does not exist. */
  channels: Channels;
  twilio?: { accountSid: string; authToken: string; apiUrl?: string; from?: string };
  /** Webhook signatures are checked with this token even when outbound SMS goes to the outbox. */
  twilioAuthToken?: string;
  jwtSecret: string;
  /** True when JWT_SECRET was not given and a random one was made (tokens die with the process). */
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  /** A browser session unused this long ends. */
  sessionIdleMinutes: number;
  /** Per client address, shared by every instance through the rate_limits table. */
  rateLimits: { formPerMinute: number; webhookPerMinute: number; loginPerMinute: number };
  /** Sign-in throttling: see src/auth/login-throttle.ts. */
  login: { failuresPerAddressPerHour: number; failuresPerAccountPerHour: number; freeFailures: number; delayBaseMs: number; delayMaxMs: number };
  bootstrap?: { clinicName: string; adminEmail: string; adminPassword?: string; timeZone: string; phone?: string };
  migrationsRun: boolean;
  /** Create the first clinic at start when none exists (off in tests and the CLI). */
  bootstrapOnStart: boolean;
  dispatchIntervalMs: number;
  /** Check-ins one instance sends at once. */
  dispatchConcurrency: number;
  /**
   * DISPATCH_LEASE_MS: how long a claimed check-in (and a queued message, at most 2 minutes) is
   * held before another instance may take it, on the database's clock. Default 5 minutes; keep it
   * well above the transports' timeouts (Twilio 15 s, SMTP 30 s).
   */
  dispatchLeaseMs?: number;
  /** EMBEDDED_PG_PORT; unset: the port kept in DATA_DIR/postgres.port while free, else a free one. */
  embeddedPgPort?: number;
  /** At SIGTERM/SIGINT: how long sends under way may take to finish before what is held is released. */
  shutdownGraceMs: number;
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
  /** Where patients' photos are kept: PostgreSQL (bytea, the default) or an S3-compatible store (S3_*). */
  photoStorage: PhotoStorageConfig;
  /** Where logs go instead of stdout (tests capture them); never from the environment. */
  logStream?: NodeJS.WritableStream;
}

export type PhotoStorageConfig =
  | { kind: 'postgres' }
  | { kind: 's3'; bucket: string; region: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean; prefix: string };

export class ConfigError extends Error {}

export interface Channels {
  email: 'smtp' | 'outbox' | 'off';
  sms: 'twilio' | 'outbox' | 'off';
}

/** A real transport when configured, else the dev outbox when it is on, else nothing. */
export function channelsOf(c: Pick<AppConfig, 'smtpUrl' | 'twilio' | 'devOutbox'>): Channels {
  return {
    email: c.smtpUrl ? 'smtp' : c.devOutbox ? 'outbox' : 'off',
    sms: c.twilio ? 'twilio' : c.devOutbox ? 'outbox' : 'off',
  };
}

/**
 * What the service checks before it listens: without a real channel (SMTP or Twilio) it starts
 * only with the dev outbox on, so nothing is marked sent that went nowhere. Returns the lines
 * to log at start (which channels are live) and the warnings.
 */
export function checkChannels(c: Pick<AppConfig, 'smtpUrl' | 'twilio' | 'devOutbox' | 'channels'>): { live: string; warnings: string[] } {
  if (!c.smtpUrl && !c.twilio && !c.devOutbox) {
    throw new ConfigError(
      'No channel to send by: set SMTP_URL (email) and/or TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (SMS), ' +
        'or DEV_OUTBOX=true to keep messages in the dev outbox (local trials only)',
    );
  }
  const warnings: string[] = [];
  if (c.twilio && !c.twilio.from) {
    warnings.push(
      'Twilio is configured without TWILIO_FROM: only clinics with their own SMS sender (smsFrom) can send SMS; the others get their check-ins by email',
    );
  }
  for (const [channel, how] of Object.entries(c.channels)) {
    if (how === 'outbox') warnings.push(`${channel} goes to the dev outbox (GET /v1/dev/outbox): nothing reaches patients by ${channel}`);
  }
  const live = `Channels: email ${c.channels.email}, sms ${c.channels.sms}`;
  return { live, warnings };
}

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
  if (parsed.BOOTSTRAP_ADMIN_PASSWORD) {
    const weak = passwordProblem(parsed.BOOTSTRAP_ADMIN_PASSWORD, [parsed.BOOTSTRAP_ADMIN_EMAIL ?? '']);
    if (weak) throw new ConfigError(`Invalid environment variables:\n  BOOTSTRAP_ADMIN_PASSWORD: ${weak}`);
  }
  if (parsed.JWT_SECRET) {
    const weak = weakSecretReason(parsed.JWT_SECRET);
    if (weak) throw new ConfigError(`Invalid environment variables:\n  JWT_SECRET ${weak}; generate one with: openssl rand -base64 48`);
  }
  const photoStorage = photoStorageOf(parsed);
  const auditSigningKey = parsed.AUDIT_SIGNING_KEY ? parseAuditSigningKey(parsed.AUDIT_SIGNING_KEY) : undefined;
  const port = parsed.PORT ?? 3000;
  const jwtSecretGenerated = !parsed.JWT_SECRET;
  const emailFrom = parsed.EMAIL_FROM ?? 'Aftercare <aftercare@localhost>';
  const devOutbox = parsed.DEV_OUTBOX ?? !parsed.DATABASE_URL;
  const twilio =
    parsed.TWILIO_ACCOUNT_SID && parsed.TWILIO_AUTH_TOKEN
      ? {
          accountSid: parsed.TWILIO_ACCOUNT_SID,
          authToken: parsed.TWILIO_AUTH_TOKEN,
          apiUrl: parsed.TWILIO_API_URL?.replace(/\/+$/, ''),
          from: parsed.TWILIO_FROM,
        }
      : undefined;
  return {
    databaseUrl: parsed.DATABASE_URL,
    appDatabaseUrl: parsed.APP_DATABASE_URL,
    databaseRole: parsed.DATABASE_ROLE === 'none' ? null : (parsed.DATABASE_ROLE ?? 'aftercare_app'),
    databasePoolMax: parsed.DATABASE_POOL_MAX ?? 20,
    embeddedDatabase: false,
    // Without DATABASE_URL main.ts starts the embedded database (embeddedDatabase): a newcomer's first run.
    devOutbox,
    port,
    // A first run on the embedded database is a trial on this machine: loopback unless HOST says otherwise.
    host: parsed.HOST ?? (parsed.DATABASE_URL ? '0.0.0.0' : '127.0.0.1'),
    publicBaseUrl: (parsed.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    smtpUrl: parsed.SMTP_URL,
    emailFrom,
    emailFromDomains: [
      ...new Set([addressDomain(emailFrom), ...(parsed.EMAIL_FROM_DOMAINS ?? '').split(',').map((d) => d.trim().toLowerCase())].filter((d): d is string => !!d)),
    ],
    channels: channelsOf({ smtpUrl: parsed.SMTP_URL, twilio, devOutbox }),
    twilio,
    twilioAuthToken: parsed.TWILIO_AUTH_TOKEN,
    jwtSecret: parsed.JWT_SECRET ?? randomBytes(48).toString('base64url'),
    jwtSecretGenerated,
    accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS ?? 8 * 3600,
    sessionIdleMinutes: parsed.SESSION_IDLE_MINUTES ?? 720,
    rateLimits: {
      formPerMinute: parsed.RATE_LIMIT_FORM_PER_MINUTE ?? 60,
      webhookPerMinute: parsed.RATE_LIMIT_WEBHOOK_PER_MINUTE ?? 1200,
      loginPerMinute: parsed.RATE_LIMIT_LOGIN_PER_MINUTE ?? 20,
    },
    login: {
      failuresPerAddressPerHour: parsed.LOGIN_FAILURES_PER_ADDRESS ?? 50,
      failuresPerAccountPerHour: parsed.LOGIN_FAILURES_PER_ACCOUNT ?? 200,
      freeFailures: parsed.LOGIN_FREE_FAILURES ?? 5,
      delayBaseMs: 1000,
      delayMaxMs: (parsed.LOGIN_DELAY_MAX_SECONDS ?? 900) * 1000,
    },
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
    dispatchLeaseMs: parsed.DISPATCH_LEASE_MS ?? 5 * 60_000,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS ?? 10_000,
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
    photoStorage,
  };
}

/** S3_* all belong to S3_BUCKET: a half-given store is refused at start rather than photos failing later. */
function photoStorageOf(parsed: EnvironmentVariables): PhotoStorageConfig {
  const others = (['S3_REGION', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'S3_PREFIX'] as const).filter((k) => parsed[k] !== undefined);
  if (!parsed.S3_BUCKET) {
    if (others.length) throw new ConfigError(`Invalid environment variables:\n  S3_BUCKET must be set when ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} set (photos go to PostgreSQL without it)`);
    return { kind: 'postgres' };
  }
  if (!!parsed.S3_ACCESS_KEY_ID !== !!parsed.S3_SECRET_ACCESS_KEY) {
    throw new ConfigError('Invalid environment variables:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither, for the AWS default credentials)');
  }
  if (!parsed.S3_REGION && !parsed.S3_ENDPOINT) {
    throw new ConfigError('Invalid environment variables:\n  S3_REGION or S3_ENDPOINT must be set with S3_BUCKET');
  }
  let prefix = parsed.S3_PREFIX ?? 'photos/';
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  return {
    kind: 's3',
    bucket: parsed.S3_BUCKET,
    region: parsed.S3_REGION ?? 'us-east-1',
    endpoint: parsed.S3_ENDPOINT?.replace(/\/+$/, ''),
    accessKeyId: parsed.S3_ACCESS_KEY_ID,
    secretAccessKey: parsed.S3_SECRET_ACCESS_KEY,
    forcePathStyle: parsed.S3_FORCE_PATH_STYLE ?? !!parsed.S3_ENDPOINT,
    prefix: prefix.replace(/^\/+/, ''),
  };
}

/** Values that were published (docs, compose files) or are guessable: a token signed with them is anyone's. */
const PLACEHOLDER_SECRETS = ['change-me-to-a-long-random-secret-of-32-chars-or-more'];
const PLACEHOLDER_WORDS = /change[-_ ]?me|replace[-_ ]?me|placeholder|your[-_ ]?secret|example/i;

/** Why a JWT secret is unfit, or null. Length is checked by the DTO (at least 32 characters). */
export function weakSecretReason(secret: string): string | null {
  if (PLACEHOLDER_SECRETS.includes(secret)) return 'is the placeholder shipped in docker-compose.yml; set a random secret of your own';
  if (PLACEHOLDER_WORDS.test(secret)) return 'looks like a placeholder (it says "change me", "example" or the like); set a random secret of your own';
  if (new Set(secret).size < 8) return 'is too repetitive (fewer than 8 different characters); set a random secret of your own';
  return null;
}

/**
 * A service on a real database (DATABASE_URL) needs a JWT secret of its own: a generated one
 * would differ per instance and change at every restart, ending every sign-in and unsubscribe link.
 * The embedded database keeps a generated one beside its data (main.ts). The CLI does not sign.
 */
export function checkServiceConfig(config: AppConfig): void {
  if (config.databaseUrl && config.jwtSecretGenerated) {
    throw new ConfigError(
      'Invalid environment variables:\n  JWT_SECRET must be set when DATABASE_URL is set (the same random value of at least 32 characters on every instance, e.g. openssl rand -base64 48)',
    );
  }
}

/** The domain of an address, bare or in "Name <address>" form, in lower case. */
export function addressDomain(from: string): string | null {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  const at = address.lastIndexOf('@');
  return at > 0 ? address.slice(at + 1).trim().toLowerCase() || null : null;
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

/** Prefixes of the service's variables: a name with one of them that the service does not know is probably a typo. */
const OUR_PREFIXES = [
  'DATABASE_', 'APP_DATABASE', 'SMTP_', 'TWILIO_', 'JWT_', 'BOOTSTRAP_', 'AUDIT_', 'EMAIL_', 'DEV_', 'PUBLIC_', 'DISPATCH_', 'ESCALAT',
  'SESSION_', 'S3_', 'SIGNAL_', 'SHUTDOWN_', 'EMBEDDED_', 'MIGRATION', 'ACCESS_TOKEN', 'LOG_', 'DATA_DIR', 'HOST_', 'PORT_', 'HTTP_PORT', 'LISTEN_',
];
/** Read by the tools around the service, not by it; never a typo of ours. */
const NOT_OURS = new Set(['DATABASE_URL_TEST', 'DEV_CONTAINER']);

/** Every variable the service reads: the properties of EnvironmentVariables (HOST too, handled at listen). */
export function knownVariables(): string[] {
  const props = getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set([...props, 'HOST'])].sort();
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known variable `name` was most likely meant to be, if any is close. */
export function closestVariable(name: string, known: string[] = knownVariables()): string | null {
  let best: { name: string; score: number } | null = null;
  for (const k of known) {
    // TWILIO_FROM_NUMBER → TWILIO_FROM; SMTP_URI → SMTP_URL; JWT_SECERT → JWT_SECRET.
    const contained = name.startsWith(k + '_') || k.startsWith(name + '_') ? 1 : Infinity;
    const score = Math.min(contained, editDistance(name, k));
    if (score <= Math.max(2, Math.floor(k.length / 4)) && (!best || score < best.score)) best = { name: k, score };
  }
  return best?.name ?? null;
}

/**
 * One warning line for each set variable that looks like one of the service's (by prefix) but
 * is not one it reads, naming the closest known one: a misspelled setting is otherwise silently
 * ignored and its default used.
 */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  const known = knownVariables();
  const set = new Set(known);
  return Object.keys(env)
    .filter((name) => env[name] !== undefined && !set.has(name) && !NOT_OURS.has(name) && OUR_PREFIXES.some((p) => name.startsWith(p)))
    .sort()
    .map((name) => {
      const near = closestVariable(name, known);
      return `Unknown environment variable ${name} is ignored${near ? `: did you mean ${near}?` : ''}`;
    });
}

export const APP_CONFIG = Symbol('APP_CONFIG');
