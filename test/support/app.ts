import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import twilio from 'twilio';
import { DataSource } from 'typeorm';
import { AppModule, configureApp } from '../../src/app.module';
import { CheckInDispatcher } from '../../src/check-ins/dispatcher.service';
import { TestClock } from './test-clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { SmtpSink } from './smtp-sink';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TwilioApiServer } from './twilio-api';

export const PUBLIC_BASE_URL = 'https://aftercare.test';
export const DEFAULT_SMS_FROM = '+14155550100';

/** A fixed audit signing key for the run (AUDIT_SIGNING_KEY), and its public half as PEM SPKI. */
const auditKeys = generateKeyPairSync('ed25519');
export const TEST_AUDIT_SIGNING_KEY = auditKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const TEST_AUDIT_PUBLIC_KEY = auditKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  clock: TestClock;
  smtp: SmtpSink;
  twilioApi: TwilioApiServer;
  config: AppConfig;
  db: DataSource;
  dispatcher: CheckInDispatcher;
  get<T>(type: new (...args: never[]) => T): T;
  /** Posts a form-encoded Twilio webhook signed with the SDK's own signature function. */
  twilioWebhook(path: string, params: Record<string, string>, opts?: { signature?: string | null }): request.Test;
  close(): Promise<void>;
}

/**
 * The real application on the shared test database, with a real SMTP server and a local
 * Twilio API in-process, and a clock the test moves. No mocks.
 */
export async function createTestApp(
  opts: {
    start?: string;
    smtp?: SmtpSink;
    twilioApi?: TwilioApiServer;
    outboxOnly?: boolean;
    config?: Partial<AppConfig>;
    /** Where the service's logs go (request lines and Nest's own, through pino); default: dropped. */
    logs?: NodeJS.WritableStream;
    /** Environment variables on top of the test defaults (METRICS_TOKEN, CORS_ORIGINS, …). */
    env?: Record<string, string>;
    /** The service's own address (links, cookies' Secure flag, CSRF origin); browser tests use the one they listen on. */
    publicBaseUrl?: string;
  } = {},
): Promise<TestApp> {
  const smtp = opts.smtp ?? (await new SmtpSink().start());
  const twilioApi = opts.twilioApi ?? (await new TwilioApiServer().start());
  const config: AppConfig = {
    ...loadConfig({
      DATABASE_URL: process.env.DATABASE_URL,
      // Lets a run shrink the pool (DATABASE_POOL_MAX=3 npx jest …) to show nothing takes a second connection.
      DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX,
      PUBLIC_BASE_URL: opts.publicBaseUrl ?? PUBLIC_BASE_URL,
      EMAIL_FROM: 'Aftercare <aftercare@clinic.test>',
      // outboxOnly: a newcomer's first run, with neither SMTP nor Twilio configured.
      ...(opts.outboxOnly
        ? { DEV_OUTBOX: 'true' }
        : {
            SMTP_URL: smtp.url,
            TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
            TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
            TWILIO_API_URL: twilioApi.url,
            TWILIO_FROM: DEFAULT_SMS_FROM,
          }),
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
      // The OpenAPI document is part of what tests check (off by default beside DATABASE_URL).
      API_DOCS: 'true',
      // A test's own settings (an empty value unsets one, e.g. TWILIO_FROM: '').
      ...opts.env,
    }),
    logStream: opts.logs ?? new Writable({ write: (_chunk, _enc, done) => done() }),
    migrationsRun: false,
    // Tests move the clock by days; the 8-hour default would log everyone out (auth tests check expiry).
    accessTokenTtlSeconds: 400 * 86400,
    dispatchIntervalMs: 0,
    // Tests call EscalationService.tick() after moving the clock.
    escalationIntervalMs: 0,
    // Tests make checkpoints by calling AuditCheckpointsService directly.
    auditCheckpointIntervalMs: 0,
    // Tests run signal detection by calling SignalsService.tick() after moving the clock.
    signalIntervalMs: 0,
    bootstrapOnStart: false,
    // Every test file calls from 127.0.0.1 on one shared database: per-address limits only where a test sets them.
    rateLimits: { formPerMinute: 1e6, webhookPerMinute: 1e6, loginPerMinute: 1e6 },
    ...opts.config,
  };
  const clock = new TestClock(opts.start ?? '2026-03-02T08:00:00Z');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  if (opts.logs) app.useLogger(app.get(PinoNestLogger));
  configureApp(app);
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    http: request(server),
    clock,
    smtp,
    twilioApi,
    config,
    db: app.get(getDataSourceToken()),
    dispatcher: app.get(CheckInDispatcher),
    get: (type) => app.get(type),
    twilioWebhook(path, params, o = {}) {
      const signature =
        o.signature === undefined ? twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, config.publicBaseUrl + path, params) : o.signature;
      const req = request(server).post(path).type('form').send(params);
      if (signature !== null) req.set('X-Twilio-Signature', signature);
      return req;
    },
    async close() {
      await app.close();
      if (!opts.smtp) await smtp.stop();
      if (!opts.twilioApi) await twilioApi.stop();
    },
  };
}

/**
 * For a describe block: the service (createTestApp with `opts`), started in beforeAll and closed
 * in afterAll. Read `suite.t` from a test or a later beforeAll.
 */
export function appSuite(opts: Parameters<typeof createTestApp>[0] = {}) {
  const suite = { t: undefined as unknown as TestApp };
  beforeAll(async () => {
    suite.t = await createTestApp(opts);
  });
  afterAll(async () => {
    await suite.t?.close();
  });
  return suite;
}
