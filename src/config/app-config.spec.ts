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
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
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
});
