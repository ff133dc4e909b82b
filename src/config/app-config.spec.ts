import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ databaseUrl: undefined, port: 3000, publicBaseUrl: 'http://localhost:3000', migrationsRun: true, twilio: undefined });
    expect(c.jwtSecretGenerated).toBe(true);
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
