import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { MIGRATIONS } from '../migrations';
import { contentSecurityPolicy } from '../src/common/http-security';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newEmail, newPatient, newPhone, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

/**
 * Operating the service: its logs (JSON, one line per request, a request id, no personal data),
 * /metrics behind a token, liveness and readiness, and the HTTP headers every response carries.
 */

const FORM = { bruising: '1', redness: '0', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS };
const METRICS_TOKEN = 'metrics-token-for-the-tests-0123';

/** Everything the service logged, as text and as parsed lines. */
class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
}

/** One answered email check-in: the patient, the form link and the answer posted to it. */
async function answeredCheckIn(t: TestApp, c: TestClinic, patient: Record<string, unknown>, freeText: string) {
  const p = await newPatient(t, c, { preferredChannel: 'email', ...patient });
  const treatment = await newTreatment(t, c, p.id);
  t.clock.set(treatment.checkIns[0].dueAt);
  await t.dispatcher.tick();
  const mail = t.smtp.to(p.email!).find((m) => m.parsed.subject?.includes('one day after your treatment'));
  if (!mail) throw new Error('no check-in email');
  const link = linkIn(mail.parsed.text!);
  await t.http.post(link).type('form').send({ ...FORM, free_text: freeText }).expect(200);
  return { p, treatment, link };
}

/** The value of one Prometheus sample, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return 0;
}

describe('logs', () => {
  let t: TestApp;
  const logs = new LogCapture();
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z', logs });
  });
  afterAll(() => t?.close());

  it('writes one JSON line per request with its request id, and never the patient\'s phone, email, name or words', async () => {
    const c = await newClinic(t);
    const who = {
      givenName: `Zephyrine${randomUUID().slice(0, 6)}`,
      familyName: `Quillfeather${randomUUID().slice(0, 6)}`,
      email: newEmail('zq'),
      phone: newPhone(),
    };
    const words = `bruise near the left knee ${randomUUID().slice(0, 8)}`;
    // A caller's own request id is kept and returned.
    const created = await t.http.post('/v1/patients').set(c.practitioner.auth).set('X-Request-Id', 'req-from-the-console-42')
      .send({ ...who, timeZone: 'Europe/Madrid', preferredChannel: 'email', emailConsent: true, smsConsent: true }).expect(201);
    expect(created.headers['x-request-id']).toBe('req-from-the-console-42');
    await t.http.get(`/v1/patients/${created.body.id}`).set(c.practitioner.auth).expect(200);
    await t.http.get(`/v1/flags?q=${encodeURIComponent(who.email)}`).set(c.practitioner.auth);
    await answeredCheckIn(t, c, { ...who, email: newEmail('zq2'), phone: newPhone() }, words);
    await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: 'wrong-password-123' });

    const lines = logs.lines();
    const requests = lines.filter((l) => l.requestId && (l.req as { method?: string })?.method);
    expect(requests.length).toBeGreaterThanOrEqual(6);
    const mine = requests.find((l) => l.requestId === 'req-from-the-console-42');
    expect(mine).toMatchObject({ level: 30, req: { method: 'POST', url: '/v1/patients' }, res: { statusCode: 201 }, responseTime: expect.any(Number) });
    // The form link's token is masked in the path; query values are never logged.
    expect(requests.some((l) => /^\/c\/\[token\]$/.test((l.req as { url: string }).url))).toBe(true);
    expect(logs.text).not.toContain(encodeURIComponent(who.email));
    for (const secret of [who.email, who.phone, who.givenName, who.familyName, words, 'wrong-password-123', c.practitioner.auth.Authorization.slice(7)]) {
      expect(logs.text).not.toContain(secret);
    }
  });

  it('keeps SMS out of the logs: the outgoing text, a provider error naming the number, the inbound webhook body and sender', async () => {
    const c = await newClinic(t);
    const who = { givenName: `Smsabel${randomUUID().slice(0, 6)}`, familyName: `Textwright${randomUUID().slice(0, 6)}`, phone: newPhone() };
    const p = await newPatient(t, c, { ...who, email: null, preferredChannel: 'sms', emailConsent: false, smsConsent: true });
    const treatment = await newTreatment(t, c, p.id);
    t.clock.set(treatment.checkIns[0].dueAt);
    // The provider refuses the first try with words that name the number (Twilio does).
    t.twilioApi.failures.push({ status: 503, code: 20503, message: `Service unavailable while sending to ${who.phone}` });
    await t.dispatcher.tick();
    expect(t.twilioApi.failures.length).toBe(0); // the refusal was met
    t.clock.advance(60 * 60_000);
    await t.dispatcher.tick();
    expect(t.twilioApi.to(who.phone).some((m) => m.params.Body.includes(who.givenName))).toBe(true);
    const words = `itchy lump under my chin ${randomUUID().slice(0, 8)}`;
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomUUID().replace(/-/g, ''), From: who.phone, To: c.smsNumber, Body: words }).expect(200);
    const webhook = logs.lines().filter((l) => (l.req as { url?: string })?.url === '/webhooks/twilio/sms');
    expect(webhook.length).toBeGreaterThan(0);
    for (const secret of [who.phone, who.phone.slice(1), who.givenName, who.familyName, words]) {
      expect({ secret, found: logs.text.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('carries the request id into the audit events the request wrote', async () => {
    const c = await newClinic(t);
    const res = await t.http.post('/v1/patients').set(c.practitioner.auth).set('X-Request-Id', 'audit-trail-7').send({
      givenName: 'Ana', familyName: 'Ruiz', email: newEmail(), timeZone: 'Europe/Madrid', preferredChannel: 'email', emailConsent: true,
    }).expect(201);
    const [event] = await t.db.query(`SELECT data FROM audit_events WHERE clinic_id = $1 AND action = 'patient.created' AND entity_id = $2`, [c.clinic.id, res.body.id]);
    expect(event.data.requestId).toBe('audit-trail-7');
    // An id that is not a plain token is replaced by a generated one, which the response names.
    const odd = await t.http.get('/v1/flags').set(c.practitioner.auth).set('X-Request-Id', 'bad id\twith "quotes"').expect(200);
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Work outside a request (the dispatcher's tick) has none.
    const [tick] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1 AND action = 'check_in.sent' AND data ? 'requestId'`, [c.clinic.id]);
    expect(tick.n).toBe(0);
  });
});

describe('metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z', env: { METRICS_TOKEN } });
  });
  afterAll(() => t?.close());

  const scrape = async () => (await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;

  it('refuses a scrape without the token (401), and is 404 when no token is configured', async () => {
    const none = await t.http.get('/metrics').expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    await t.http.get('/metrics').set('Authorization', 'Bearer not-the-token').expect(401);
    const other = await createTestApp({ smtp: t.smtp, twilioApi: t.twilioApi });
    try {
      await other.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
    } finally {
      await other.close();
    }
  });

  it('counts sends, answers, flags and requests, and reads the queue at scrape time', async () => {
    const c = await newClinic(t);
    const before = await scrape();
    expect(before).toContain('# TYPE aftercare_check_ins_total counter');
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const treatment = await newTreatment(t, c, p.id);
    t.clock.set(new Date(new Date(treatment.checkIns[0].dueAt).getTime() + 600_000));
    const due = await scrape();
    // At least ours: due ten minutes, so overdue too, and the lag says so.
    expect(sample(due, 'aftercare_check_ins_due')).toBeGreaterThanOrEqual(1);
    expect(sample(due, 'aftercare_check_ins_overdue')).toBeGreaterThanOrEqual(1);
    expect(sample(due, 'aftercare_check_ins_due_lag_seconds')).toBeGreaterThanOrEqual(600);

    await t.dispatcher.tick();
    const link = linkIn(t.smtp.to(p.email!)[0].parsed.text!);
    await t.http.post(link).type('form').send({ ...FORM, pain: '3' }).expect(200);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('aftercare_check_ins_total', { outcome: 'sent', channel: 'email', kind: 'none' })).toBeGreaterThanOrEqual(1);
    expect(delta('aftercare_inbound_replies_total', { channel: 'form' })).toBe(1);
    expect(delta('aftercare_flags_raised_total', { priority: 'high' })).toBe(1);
    expect(delta('aftercare_dispatcher_tick_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(delta('aftercare_audit_events_appended')).toBeGreaterThan(3);
    // Requests by route pattern, never the token in the path.
    expect(sample(after, 'aftercare_http_request_duration_seconds_count', { method: 'POST', route: '/c/:token', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain(link.split('/c/')[1]);
    expect(sample(after, 'aftercare_check_ins_due_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts a failed send by channel and failure kind', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'sms', emailConsent: false });
    const treatment = await newTreatment(t, c, p.id);
    const before = await scrape();
    t.twilioApi.failures.push({ status: 400, code: 21211, message: `The 'To' number ${p.phone} is not a valid phone number.` });
    t.clock.set(treatment.checkIns[0].dueAt);
    await t.dispatcher.tick();
    const after = await scrape();
    const failed = after.split('\n').filter((l) => l.startsWith('aftercare_check_ins_total{') && l.includes('outcome="failed"') && l.includes('channel="sms"'));
    expect(failed).toEqual([expect.stringMatching(/kind="invalid_contact"\} 1$/)]);
    expect(sample(before, 'aftercare_check_ins_total', { outcome: 'failed', channel: 'sms' })).toBe(0);
  });
});

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('is live without the database, and ready with the database, every migration and verified channels', async () => {
    expect((await t.http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    const ready = (await t.http.get('/health/ready').expect(200)).body;
    expect(ready).toEqual({ status: 'ok', database: 'up', migrations: `applied (${MIGRATIONS.length})`, email: 'smtp verified', sms: 'twilio configured', channels: { email: 'smtp', sms: 'twilio' } });
    expect((await t.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('is not ready (503, naming the part) while a migration is missing', async () => {
    // As the owner: the service's own role may read the migrations table, not change it.
    const owner = new Client({ connectionString: process.env.DATABASE_URL });
    await owner.connect();
    const [last] = (await owner.query(`SELECT id, name FROM migrations ORDER BY id DESC LIMIT 1`)).rows;
    await owner.query(`UPDATE migrations SET name = name || '-hidden' WHERE id = $1`, [last.id]);
    try {
      const res = await t.http.get('/health/ready').expect(503);
      expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: `migrations: pending: ${last.name}` });
      await t.http.get('/health/live').expect(200);
    } finally {
      await owner.query(`UPDATE migrations SET name = $2 WHERE id = $1`, [last.id, last.name]);
      await owner.end();
    }
    await t.http.get('/health/ready').expect(200);
  });

  it('is not ready when the SMTP server cannot be reached at start, and says so', async () => {
    const broken = await createTestApp({ smtp: t.smtp, twilioApi: t.twilioApi, env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
    try {
      const res = await broken.http.get('/health/ready').expect(503);
      expect(res.body.message).toMatch(/^email: smtp verify failed: .*ECONNREFUSED/);
      await broken.http.get('/health/live').expect(200);
    } finally {
      await broken.close();
    }
  });
});

describe('HTTP headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    // As beside DATABASE_URL in production: no API docs unless API_DOCS says so.
    t = await createTestApp({ start: '2026-03-02T08:00:00Z', env: { API_DOCS: 'false' } });
  });
  afterAll(() => t?.close());

  it('sends a CSP the patient form passes, frame-ancestors none, nosniff and HSTS on https; no X-Powered-By', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const treatment = await newTreatment(t, c, p.id);
    t.clock.set(treatment.checkIns[0].dueAt);
    await t.dispatcher.tick();
    const link = linkIn(t.smtp.to(p.email!)[0].parsed.text!);
    const form = await t.http.get(link).expect(200);
    const csp = form.headers['content-security-policy'];
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // Every inline style on the page is allowed by its hash; there are no inline scripts or style attributes.
    const styles = [...form.text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles.length).toBeGreaterThan(0);
    for (const s of styles) expect(csp).toContain(`'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(form.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(form.headers['x-content-type-options']).toBe('nosniff');
    expect(form.headers['x-frame-options']).toBe('DENY');
    expect(form.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(form.headers['x-powered-by']).toBeUndefined();
    expect(form.headers['cache-control']).toBe('no-store');
    expect(contentSecurityPolicy()['style-src']).toContain("'self'");
  });

  it('marks every patient-data response no-store, /v1 and /u included, and leaves /health cacheable', async () => {
    const c = await newClinic(t);
    const list = await t.http.get('/v1/flags').set(c.practitioner.auth).expect(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const denied = await t.http.get('/v1/flags').expect(401);
    expect(denied.headers['cache-control']).toBe('no-store');
    expect((await t.http.get('/u/not-a-token')).headers['cache-control']).toBe('no-store');
    expect((await t.http.get('/health/live')).headers['cache-control']).toBeUndefined();
  });

  it('marks the exports and the SSE stream no-store too', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    expect((await t.http.get(`/v1/patients/${p.id}/export`).set(c.admin.auth).expect(200)).headers['cache-control']).toBe('no-store');
    for (const format of ['csv', 'fhir']) {
      const res = await t.http.get(`/v1/adverse-events/export?format=${format}`).set(c.admin.auth).buffer(true).parse((r, cb) => {
        r.on('data', () => undefined);
        r.on('end', () => cb(null, null));
      }).expect(200);
      expect({ format, cc: res.headers['cache-control'] }).toEqual({ format, cc: 'no-store' });
    }
    // The stream: read its headers, then hang up.
    const server = t.app.getHttpServer() as import('node:http').Server;
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as import('node:net').AddressInfo;
    const headers = await new Promise<import('node:http').IncomingHttpHeaders>((resolve, reject) => {
      const req = require('node:http').get({ host: '127.0.0.1', port, path: '/v1/events', headers: c.admin.auth }, (res: import('node:http').IncomingMessage) => {
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
    });
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    expect(headers['cache-control']).toBe('no-store, no-transform');
  });

  it('sends no CORS headers by default, trusts loopback proxies only, and has no /docs beside DATABASE_URL', async () => {
    const pre = await t.http.options('/v1/patients').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(t.app.getHttpAdapter().getInstance().get('trust proxy')).toBe('loopback');
    await t.http.get('/docs').expect(404);
    await t.http.get('/docs/openapi.json').expect(404);
  });

  it('follows CORS_ORIGINS, TRUST_PROXY and API_DOCS, and sends no HSTS over http', async () => {
    const other = await createTestApp({
      smtp: t.smtp,
      twilioApi: t.twilioApi,
      env: { PUBLIC_BASE_URL: 'http://aftercare.internal', CORS_ORIGINS: 'https://console.example, https://ops.example', TRUST_PROXY: '10.0.0.0/8,loopback', API_DOCS: 'true' },
    });
    try {
      const allowed = await other.http.options('/v1/patients').set('Origin', 'https://console.example').set('Access-Control-Request-Method', 'POST').expect(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example');
      const refused = await other.http.options('/v1/patients').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.app.getHttpAdapter().getInstance().get('trust proxy')).toBe('10.0.0.0/8,loopback');
      const docs = await other.http.get('/docs/openapi.json').expect(200);
      expect(docs.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
