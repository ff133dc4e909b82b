import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
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
