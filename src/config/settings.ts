/** The service's settings as the code reads them (typed, defaults filled in by loadConfig), and which channels they make live. */

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
