import { generateKeyPairSync } from 'node:crypto';
import { checkChannels, checkServiceConfig, ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ databaseUrl: undefined, port: 3000, publicBaseUrl: 'http://localhost:3000', migrationsRun: true, twilio: undefined });
    expect(c.jwtSecretGenerated).toBe(true);
  });

  it('needs a JWT_SECRET of its own beside DATABASE_URL, and refuses the compose placeholder and weak ones', () => {
    const db = { DATABASE_URL: 'postgres://u:p@db:5432/a' };
    expect(() => checkServiceConfig(loadConfig(db))).toThrow(ConfigError);
    expect(() => checkServiceConfig(loadConfig(db))).toThrow(/JWT_SECRET must be set when DATABASE_URL is set/);
    // The embedded database keeps a generated one (main.ts persists it beside the data).
    expect(() => checkServiceConfig(loadConfig({}))).not.toThrow();
    const good = loadConfig({ ...db, JWT_SECRET: 'hJ3k9Qw-zX2pL7vB_nM4cR8tY1uE6oI0aS5dF' });
    expect(() => checkServiceConfig(good)).not.toThrow();
    expect(good.jwtSecretGenerated).toBe(false);
    for (const [secret, why] of [
      ['change-me-to-a-long-random-secret-of-32-chars-or-more', /placeholder shipped in docker-compose.yml/],
      ['please-replace-me-with-a-random-value-0123456789', /looks like a placeholder/],
      ['a'.repeat(40), /too repetitive/],
      ['abababababababababababababababababab12', /too repetitive/],
      ['short-secret', /at least 32 characters/],
    ] as const) {
      expect(() => loadConfig({ ...db, JWT_SECRET: secret })).toThrow(why);
      expect(() => loadConfig({ ...db, JWT_SECRET: secret })).toThrow(/JWT_SECRET/);
    }
  });

  it('reads the session and rate-limit settings, with defaults', () => {
    expect(loadConfig({})).toMatchObject({
      sessionIdleMinutes: 720,
      rateLimits: { formPerMinute: 60, webhookPerMinute: 1200, loginPerMinute: 20 },
      login: { failuresPerAddressPerHour: 50, failuresPerAccountPerHour: 200, freeFailures: 5, delayMaxMs: 900_000 },
    });
    const c = loadConfig({ SESSION_IDLE_MINUTES: '30', RATE_LIMIT_FORM_PER_MINUTE: '5', LOGIN_FREE_FAILURES: '3', LOGIN_DELAY_MAX_SECONDS: '60' });
    expect(c).toMatchObject({ sessionIdleMinutes: 30, rateLimits: { formPerMinute: 5 }, login: { freeFailures: 3, delayMaxMs: 60_000 } });
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => loadConfig({ RATE_LIMIT_WEBHOOK_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_WEBHOOK_PER_MINUTE/);
  });

  it('types and trims what it is given', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/aftercare',
      PORT: '8080',
      PUBLIC_BASE_URL: 'https://care.example.com/',
      TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
      TWILIO_AUTH_TOKEN: 'secret-token',
      TWILIO_API_URL: 'http://localhost:4010',
      MIGRATIONS_RUN: 'false',
    });
    expect(c.port).toBe(8080);
    expect(c.publicBaseUrl).toBe('https://care.example.com');
    expect(c.twilio).toEqual({ accountSid: 'AC' + 'a'.repeat(32), authToken: 'secret-token', apiUrl: 'http://localhost:4010', from: undefined });
    expect(c.migrationsRun).toBe(false);
    expect(c.databasePoolMax).toBe(20);
  });

  it('connects as aftercare_app by default; APP_DATABASE_URL and DATABASE_ROLE are validated and named', () => {
    expect(loadConfig({})).toMatchObject({ databaseRole: 'aftercare_app', appDatabaseUrl: undefined });
    expect(loadConfig({ DATABASE_ROLE: 'none' }).databaseRole).toBeNull();
    const c = loadConfig({ DATABASE_URL: 'postgres://owner:p@db/a', APP_DATABASE_URL: 'postgres://svc:p@db/a', DATABASE_ROLE: 'clinic_app' });
    expect(c).toMatchObject({ databaseUrl: 'postgres://owner:p@db/a', appDatabaseUrl: 'postgres://svc:p@db/a', databaseRole: 'clinic_app' });
    expect(() => loadConfig({ APP_DATABASE_URL: 'postgres://svc:p@db/a' })).toThrow(/APP_DATABASE_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://o@db/a', APP_DATABASE_URL: 'mysql://x' })).toThrow(/APP_DATABASE_URL must be a postgres/);
    expect(() => loadConfig({ DATABASE_ROLE: 'app; DROP TABLE x' })).toThrow(/DATABASE_ROLE must be/);
  });

  it('takes DATABASE_POOL_MAX and BOOTSTRAP_CLINIC_PHONE', () => {
    const c = loadConfig({ DATABASE_POOL_MAX: '40', BOOTSTRAP_CLINIC_NAME: 'C', BOOTSTRAP_ADMIN_EMAIL: 'a@c.example', BOOTSTRAP_CLINIC_PHONE: '+34911234567' });
    expect(c.databasePoolMax).toBe(40);
    expect(c.bootstrap).toMatchObject({ clinicName: 'C', phone: '+34911234567' });
  });

  it('shows the dev outbox by default only on the embedded database (no DATABASE_URL), and as DEV_OUTBOX says', () => {
    expect(loadConfig({}).devOutbox).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/a' }).devOutbox).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/a', DEV_OUTBOX: 'true' }).devOutbox).toBe(true);
    expect(loadConfig({ DEV_OUTBOX: 'false' }).devOutbox).toBe(false);
    expect(loadConfig({ DEV_OUTBOX: '' }).devOutbox).toBe(true);
  });

  it('needs PUBLIC_BASE_URL once a real channel is configured, since links and Twilio signatures use it', () => {
    const sid = 'AC' + 'a'.repeat(32);
    for (const env of [
      { SMTP_URL: 'smtp://mail:1025' },
      { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'secret-token' },
      { TWILIO_FROM: '+14155550100' },
      { SMTP_URL: 'smtp://mail:1025', PUBLIC_BASE_URL: '' },
    ]) {
      expect(() => loadConfig(env)).toThrow(/Invalid environment variables:[\s\S]*PUBLIC_BASE_URL must be set when SMTP_URL or TWILIO_\* is set/);
    }
    expect(loadConfig({ SMTP_URL: 'smtp://mail:1025', PUBLIC_BASE_URL: 'https://care.example.com' }).publicBaseUrl).toBe('https://care.example.com');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'https://care.example.com/?x=1' }, 'PUBLIC_BASE_URL must not have a query string or fragment'],
    [{ PUBLIC_BASE_URL: 'https://care.example.com/#top' }, 'PUBLIC_BASE_URL must not have a query string or fragment'],
    [{ DATABASE_POOL_MAX: '1' }, 'DATABASE_POOL_MAX'],
    [{ DATABASE_POOL_MAX: '201' }, 'DATABASE_POOL_MAX'],
    [{ DATABASE_POOL_MAX: 'many' }, 'DATABASE_POOL_MAX'],
    [{ BOOTSTRAP_CLINIC_PHONE: '911234567' }, 'BOOTSTRAP_CLINIC_PHONE'],
    [{ SMTP_URL: 'http://mail', PUBLIC_BASE_URL: 'https://care.example.com' }, 'SMTP_URL'],
    [{ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 'abcdefghij' }, 'TWILIO_ACCOUNT_SID'],
    [{ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32) }, 'TWILIO_AUTH_TOKEN'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ BOOTSTRAP_CLINIC_NAME: 'Clinic' }, 'BOOTSTRAP_ADMIN_EMAIL'],
    [{ BOOTSTRAP_CLINIC_NAME: 'C', BOOTSTRAP_ADMIN_EMAIL: 'not-an-email' }, 'BOOTSTRAP_ADMIN_EMAIL'],
  ])('stops on %j and names %s', (env, name) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(new RegExp(`Invalid environment variables:[\\s\\S]*${name}`));
  });
});

describe('loadConfig with empty variables', () => {
  it('treats FOO= as unset, as compose files write it', () => {
    expect(loadConfig({ TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', PORT: '' }).twilio).toBeUndefined();
  });

  describe('AUDIT_SIGNING_KEY', () => {
    const ed25519 = generateKeyPairSync('ed25519');
    const pem = ed25519.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    it('takes a PEM PKCS#8 Ed25519 private key, also on one line with \\n, and defaults the checkpoint interval to an hour', () => {
      expect(loadConfig({ AUDIT_SIGNING_KEY: pem }).auditSigningKey).toBe(pem);
      expect(loadConfig({ AUDIT_SIGNING_KEY: pem.replace(/\n/g, '\\n') }).auditSigningKey).toBe(pem);
      expect(loadConfig({}).auditSigningKey).toBeUndefined();
      expect(loadConfig({}).auditCheckpointIntervalMs).toBe(3600_000);
      expect(loadConfig({ AUDIT_CHECKPOINT_INTERVAL_MS: '0' }).auditCheckpointIntervalMs).toBe(0);
    });

    it('defaults signal detection to hourly, 0 turns it off, a negative SIGNAL_INTERVAL_MS is named', () => {
      expect(loadConfig({}).signalIntervalMs).toBe(3600_000);
      expect(loadConfig({ SIGNAL_INTERVAL_MS: '0' }).signalIntervalMs).toBe(0);
      expect(() => loadConfig({ SIGNAL_INTERVAL_MS: '-1' })).toThrow(/SIGNAL_INTERVAL_MS/);
    });

    it.each([
      ['not PEM at all', 'not-a-key'],
      ['a public key', ed25519.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
      ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
      ['an EC P-256 key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
      ['a truncated PEM', pem.slice(0, 60)],
    ])('refuses %s, naming the variable', (_what, value) => {
      expect(() => loadConfig({ AUDIT_SIGNING_KEY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ AUDIT_SIGNING_KEY: value })).toThrow(/AUDIT_SIGNING_KEY/);
    });

    it('refuses a negative AUDIT_CHECKPOINT_INTERVAL_MS', () => {
      expect(() => loadConfig({ AUDIT_CHECKPOINT_INTERVAL_MS: '-1' })).toThrow(/AUDIT_CHECKPOINT_INTERVAL_MS/);
    });
  });

  describe('channels at start', () => {
    const sid = 'AC' + 'a'.repeat(32);
    const base = { DATABASE_URL: 'postgres://u:p@db:5432/a', PUBLIC_BASE_URL: 'https://care.example' };

    it('refuses to start with a real database and no channel, unless DEV_OUTBOX is on', () => {
      const bare = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/a' });
      expect(bare.channels).toEqual({ email: 'off', sms: 'off' });
      expect(() => checkChannels(bare)).toThrow(ConfigError);
      expect(() => checkChannels(bare)).toThrow(/No channel to send by: set SMTP_URL[\s\S]*DEV_OUTBOX=true/);
      // The embedded first run keeps its outbox; turning it off there without a channel is refused too.
      expect(() => checkChannels(loadConfig({ DEV_OUTBOX: 'false' }))).toThrow(/No channel to send by/);
      const trial = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/a', DEV_OUTBOX: 'true' });
      expect(trial.channels).toEqual({ email: 'outbox', sms: 'outbox' });
      expect(checkChannels(trial).live).toBe('Channels: email outbox, sms outbox');
      expect(loadConfig({}).channels).toEqual({ email: 'outbox', sms: 'outbox' });
    });

    it('says which channels are live: a channel without a transport is off, not the outbox', () => {
      const smtpOnly = loadConfig({ ...base, SMTP_URL: 'smtp://mail:1025' });
      expect(smtpOnly.channels).toEqual({ email: 'smtp', sms: 'off' });
      expect(checkChannels(smtpOnly)).toEqual({ live: 'Channels: email smtp, sms off', warnings: [] });
      const both = loadConfig({ ...base, SMTP_URL: 'smtp://mail:1025', TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+14155550100' });
      expect(both.channels).toEqual({ email: 'smtp', sms: 'twilio' });
      expect(loadConfig({ ...base, SMTP_URL: 'smtp://mail:1025', DEV_OUTBOX: 'true' }).channels).toEqual({ email: 'smtp', sms: 'outbox' });
    });

    it('warns when Twilio has no SMS sender (no TWILIO_FROM)', () => {
      const c = loadConfig({ ...base, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'secret-token' });
      expect(checkChannels(c).warnings).toEqual([expect.stringMatching(/Twilio is configured without TWILIO_FROM: .*get their check-ins by email/)]);
    });
  });

  it('listens on loopback on the embedded database and on all interfaces with DATABASE_URL, unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/a' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/a', HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(() => loadConfig({ HOST: 'http://x/' })).toThrow(/HOST must be an IP address or host name/);
  });

  it("allows a clinic's emailFrom at EMAIL_FROM's domain and at EMAIL_FROM_DOMAINS", () => {
    expect(loadConfig({}).emailFromDomains).toEqual(['localhost']);
    expect(loadConfig({ EMAIL_FROM: 'Aftercare <care@Platform.example>', EMAIL_FROM_DOMAINS: 'clinic-a.example, Clinic-B.example' }).emailFromDomains).toEqual([
      'platform.example',
      'clinic-a.example',
      'clinic-b.example',
    ]);
    expect(() => loadConfig({ EMAIL_FROM_DOMAINS: 'not a domain' })).toThrow(/EMAIL_FROM_DOMAINS must be a comma-separated list of domains/);
    expect(() => loadConfig({ EMAIL_FROM: 'nobody' })).toThrow(/EMAIL_FROM must be an address/);
  });

  it('reads the operating settings: TRUST_PROXY, CORS_ORIGINS, API_DOCS, METRICS_TOKEN, LOG_FORMAT', () => {
    expect(loadConfig({})).toMatchObject({ trustProxy: 'loopback', corsOrigins: [], apiDocs: true, metricsToken: undefined });
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/a' }).apiDocs).toBe(false);
    const c = loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback', CORS_ORIGINS: 'https://a.example, https://b.example/', API_DOCS: 'false', METRICS_TOKEN: 'x'.repeat(16), LOG_FORMAT: 'json' });
    expect(c).toMatchObject({ trustProxy: '10.0.0.0/8,loopback', corsOrigins: ['https://a.example', 'https://b.example'], apiDocs: false, metricsToken: 'x'.repeat(16), logFormat: 'json' });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS must be a comma list of origins/);
    expect(() => loadConfig({ TRUST_PROXY: 'all of them' })).toThrow(/TRUST_PROXY must be/);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json or pretty/);
  });
});
