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

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(String(value).toLowerCase());

/** The environment the service accepts; validated once at boot. */
export class EnvironmentVariables {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
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
}

export interface AppConfig {
  databaseUrl?: string;
  /** The database is the embedded one started by this process (a newcomer's first run). */
  embeddedDatabase: boolean;
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
  bootstrap?: { clinicName: string; adminEmail: string; adminPassword?: string; timeZone: string };
  migrationsRun: boolean;
  /** Create the first clinic at start when none exists (off in tests and the CLI). */
  bootstrapOnStart: boolean;
  dispatchIntervalMs: number;
  /** Check-ins one instance sends at once. */
  dispatchConcurrency: number;
  embeddedPgPort: number;
  dataDir: string;
  logLevel: string;
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
  const port = parsed.PORT ?? 3000;
  const jwtSecretGenerated = !parsed.JWT_SECRET;
  return {
    databaseUrl: parsed.DATABASE_URL,
    embeddedDatabase: false,
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
        }
      : undefined,
    migrationsRun: parsed.MIGRATIONS_RUN ?? true,
    bootstrapOnStart: true,
    dispatchIntervalMs: parsed.DISPATCH_INTERVAL_MS ?? 15000,
    dispatchConcurrency: parsed.DISPATCH_CONCURRENCY ?? 8,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT ?? 54329,
    dataDir: parsed.DATA_DIR ?? '.data',
    logLevel: parsed.LOG_LEVEL ?? 'log',
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
