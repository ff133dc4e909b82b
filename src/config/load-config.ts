import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createPrivateKey, KeyObject, randomBytes } from 'node:crypto';
import { passwordProblem } from '../common/password-policy';
import { EnvironmentVariables } from './environment';
import { AppConfig, channelsOf, ConfigError, PhotoStorageConfig } from './settings';

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
