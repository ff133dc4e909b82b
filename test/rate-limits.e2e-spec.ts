import { createHash, randomBytes } from 'node:crypto';
import { RateLimitStore } from '../src/rate-limits/rate-limit.store';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newEmail } from './support/factories';

/** A client address of the test's own (through X-Forwarded-For; the app trusts the proxy here). */
const newAddress = () => `10.${randomBytes(3).join('.')}`;

const LIMITS = {
  rateLimits: { formPerMinute: 3, webhookPerMinute: 5, loginPerMinute: 1000 },
  login: { failuresPerAddressPerHour: 8, failuresPerAccountPerHour: 12, freeFailures: 2, delayBaseMs: 1000, delayMaxMs: 60_000 },
};

describe('rate limits shared in PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: LIMITS });
    t.app.getHttpAdapter().getInstance().set('trust proxy', true);
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, from: string) =>
    t.http.post('/v1/auth/login').set('X-Forwarded-For', from).send({ email, password });

  it('slows one address on one account with a doubling delay, without locking the owner out', async () => {
    const c = await newClinic(t);
    const { email, password } = c.practitioner;
    const attacker = newAddress();
    for (let i = 0; i < 3; i++) await login(email, `wrong-password-${i}`, attacker).expect(401);
    // Two free failures, the third set a 1 s delay: even the right password waits.
    const blocked = await login(email, password, attacker).expect(429);
    expect(blocked.headers['retry-after']).toBe('1');
    expect(blocked.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'Too many failed logins for this account from your address; try again in 1 second' });
    // The owner, elsewhere, signs in.
    await login(email, password, newAddress()).expect(200);
    t.clock.advance(1000);
    await login(email, 'wrong-password-again', attacker).expect(401);
    expect((await login(email, password, attacker).expect(429)).headers['retry-after']).toBe('2');
    t.clock.advance(2000);
    await login(email, 'wrong-password-again', attacker).expect(401);
    expect((await login(email, password, attacker).expect(429)).headers['retry-after']).toBe('4');
    t.clock.advance(4000);
    // A success clears the delay for that address.
    await login(email, password, attacker).expect(200);
    await login(email, 'wrong-password-once', attacker).expect(401);
    await login(email, password, attacker).expect(200);
  });

  it('treats an unknown email exactly like a known one: same message, same delay', async () => {
    const from = newAddress();
    const nobody = newEmail('nobody');
    for (let i = 0; i < 3; i++) {
      const res = await login(nobody, `wrong-password-${i}`, from).expect(401);
      expect(res.body.message).toBe('Email or password is wrong');
    }
    const res = await login(nobody, 'whatever-whatever', from).expect(429);
    expect(res.body.message).toBe('Too many failed logins for this account from your address; try again in 1 second');
  });

  it('keeps no email in its buckets, nor a plain hash of one that a list of addresses would match', async () => {
    const email = newEmail('bucket');
    await login(email, 'wrong-password-for-the-bucket', newAddress()).expect(401);
    const rows: Array<{ bucket: string }> = await t.db.query(`SELECT bucket FROM rate_limits WHERE bucket LIKE 'login-%'`);
    const plain = createHash('sha256').update(email).digest('base64url').slice(0, 32);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.bucket.includes(email) || r.bucket.includes(plain) || r.bucket.includes(email.split('@')[0]))).toEqual([]);
  });

  it('caps failures per address across accounts, and per account across addresses', async () => {
    const c = await newClinic(t);
    const sprayer = newAddress();
    // One try on each of eight accounts: never the same account twice, so no delay applies.
    for (let i = 0; i < 8; i++) await login(newEmail('spray'), 'Summer-Holiday-2026', sprayer).expect(401);
    const res = await login(c.admin.email, c.admin.password, sprayer).expect(429);
    expect(res.body.message).toMatch(/^Too many failed logins from your address; try again in 60 minutes$/);
    expect(Number(res.headers['retry-after'])).toBe(3600);
    await login(c.admin.email, c.admin.password, newAddress()).expect(200);

    // Twelve addresses, one failure each, on one account: the account's hourly cap.
    for (let i = 0; i < 12; i++) await login(c.compliance.email, 'not-the-password', newAddress()).expect(401);
    expect((await login(c.compliance.email, c.compliance.password, newAddress()).expect(429)).body.message).toMatch(/^Too many failed logins for this account; try again/);
    t.clock.advance(3600_000);
    await login(c.compliance.email, c.compliance.password, newAddress()).expect(200);
  });

  it('limits the patient form, the unsubscribe page and the webhooks per address per minute, with Retry-After', async () => {
    const a = newAddress();
    for (let i = 0; i < 3; i++) await t.http.get(`/c/${'x'.repeat(43)}`).set('X-Forwarded-For', a).expect(404);
    // The patient sees a page in their browser's language (not JSON), told when to come back.
    const res = await t.http.get('/u/whatever').set('X-Forwarded-For', a).set('Accept-Language', 'es-ES,es;q=0.9').expect(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    const seconds = Number(res.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(res.text).toContain('<html lang="es">');
    expect(res.text).toContain('<h1>Espere un momento</h1>');
    expect(res.text).toContain(`Vuelva a intentarlo dentro de ${seconds} segundos.`);
    const form = await t.http.post(`/c/${'x'.repeat(43)}`).set('X-Forwarded-For', a).type('form').send({}).expect(429);
    expect(form.text).toContain('<h1>Please wait a moment</h1>');
    // Another address is not affected; the window passes.
    await t.http.get(`/c/${'x'.repeat(43)}`).set('X-Forwarded-For', newAddress()).expect(404);
    t.clock.advance(60_000);
    await t.http.get(`/c/${'x'.repeat(43)}`).set('X-Forwarded-For', a).expect(404);

    const w = newAddress();
    for (let i = 0; i < 5; i++) await t.http.post('/webhooks/twilio/status').set('X-Forwarded-For', w).type('form').send({ MessageSid: 'SM1' }).expect(403);
    const hook = await t.http.post('/webhooks/twilio/sms').set('X-Forwarded-For', w).type('form').send({ Body: 'hi' }).expect(429);
    expect(hook.body.message).toMatch(/^Too many requests from your address; try again in \d+ seconds?$/);
    expect(Number(hook.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('is shared by every instance: a second instance sees the first one\'s delay; expired rows are pruned', async () => {
    const other = await createTestApp({ config: LIMITS });
    try {
      other.app.getHttpAdapter().getInstance().set('trust proxy', true);
      other.clock.set(t.clock.now());
      const c = await newClinic(t);
      const from = newAddress();
      for (let i = 0; i < 3; i++) await login(c.practitioner.email, `wrong-${i}-password`, from).expect(401);
      await other.http.post('/v1/auth/login').set('X-Forwarded-For', from).send({ email: c.practitioner.email, password: c.practitioner.password }).expect(429);

      const store = t.get(RateLimitStore);
      await store.hit('test-prune', { limit: 1, windowMs: 1000 });
      t.clock.advance(2000);
      await store.prune();
      expect(await t.db.query(`SELECT 1 FROM rate_limits WHERE bucket = 'test-prune'`)).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
