import { randomUUID } from 'node:crypto';
import { CREDENTIAL_TTL_MS } from '../src/auth/credential-cache';
import { createTestApp, PUBLIC_BASE_URL, TestApp } from './support/app';
import { newClinic, newEmail, patientBody, TestClinic } from './support/factories';

interface Browser {
  cookie: string;
  csrf: string;
  setCookies: string[];
  body: { staff: Record<string, unknown>; csrfToken: string };
}

describe('browser sessions, CSRF and the staff lifecycle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** Signs in as a browser would; the cookies are sent back by hand (they are Secure, the test server is http). */
  async function signIn(email: string, password: string): Promise<Browser> {
    const res = await t.http.post('/v1/auth/session').send({ email, password }).expect(200);
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const value = (name: string) => setCookies.find((c) => c.startsWith(`${name}=`))!.split(';')[0].slice(name.length + 1);
    const session = value('aftercare_session');
    const csrf = value('aftercare_csrf');
    return { cookie: `aftercare_session=${session}; aftercare_csrf=${csrf}`, csrf, setCookies, body: res.body };
  }
  const auditOf = async (c: TestClinic, entityId: string) =>
    (await t.http.get(`/v1/audit-events?entityId=${entityId}`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string; data: Record<string, unknown>; changes: unknown }>;

  it('signs in with a cookie session, answers who is signed in, and signs out server-side', async () => {
    const c = await newClinic(t);
    const b = await signIn(c.practitioner.email, c.practitioner.password);
    expect(b.body).toEqual({
      staff: { id: c.practitioner.id, clinicId: c.clinic.id, clinicName: c.clinic.name, email: c.practitioner.email, name: 'A practitioner', role: 'practitioner', mustChangePassword: false },
      csrfToken: b.csrf,
    });
    const sessionCookie = b.setCookies.find((x) => x.startsWith('aftercare_session='))!;
    expect(sessionCookie).toMatch(/; Path=\//);
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; Secure/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    const csrfCookie = b.setCookies.find((x) => x.startsWith('aftercare_csrf='))!;
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/; SameSite=Lax/);
    // Opaque, not a JWT; only its hash is stored.
    const sessionId = b.cookie.split(';')[0].split('=')[1];
    expect(sessionId.split('.')).toHaveLength(1);
    expect(await t.db.query(`SELECT 1 FROM staff_sessions WHERE token_hash = sha256($1::bytea)`, [Buffer.from(sessionId)])).toHaveLength(1);

    expect((await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(200)).body).toEqual(b.body);
    await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(200);
    // A bearer token has no session to show.
    await t.http.get('/v1/auth/session').set(c.practitioner.auth).expect(401);
    await t.http.get('/v1/auth/session').expect(401);

    await t.http.delete('/v1/auth/session').set('Cookie', b.cookie).set('X-CSRF-Token', b.csrf).expect(204).expect((res) => {
      const cleared = ([] as string[]).concat(res.headers['set-cookie']);
      expect(cleared).toEqual(expect.arrayContaining([expect.stringMatching(/^aftercare_session=;.*Expires=Thu, 01 Jan 1970/), expect.stringMatching(/^aftercare_csrf=;.*Expires=Thu, 01 Jan 1970/)]));
    });
    const after = await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(401);
    expect(after.body.message).toBe('Your session has ended; sign in again');
    expect((await auditOf(c, c.practitioner.id)).map((e) => e.action).slice(-2)).toEqual(['staff.logged_in', 'staff.logged_out']);
  });

  it('refuses a change made with the cookie without the CSRF token, with a wrong one, or from another origin', async () => {
    const c = await newClinic(t);
    const b = await signIn(c.practitioner.email, c.practitioner.password);
    const post = () => t.http.post('/v1/patients').set('Cookie', b.cookie).send(patientBody());
    expect((await post().expect(403)).body.message).toBe("CSRF check failed: send the X-CSRF-Token header (the aftercare_csrf cookie's value) with every change made with the session cookie");
    expect((await post().set('X-CSRF-Token', 'x'.repeat(43)).expect(403)).body.message).toBe('CSRF check failed: the X-CSRF-Token header does not match this session');
    expect((await post().set('X-CSRF-Token', b.csrf).set('Origin', 'https://evil.example').expect(403)).body.message).toBe(
      `CSRF check failed: the request comes from https://evil.example, not from ${PUBLIC_BASE_URL}`,
    );
    // Another session's token is no proof for this one.
    const other = await signIn(c.admin.email, c.admin.password);
    await post().set('X-CSRF-Token', other.csrf).expect(403);
    expect(await t.db.query(`SELECT 1 FROM patients WHERE clinic_id = $1`, [c.clinic.id])).toEqual([]);
    await post().set('X-CSRF-Token', b.csrf).expect(201);
    await post().set('X-CSRF-Token', b.csrf).set('Origin', PUBLIC_BASE_URL).expect(201);
    // Bearer tokens and API keys need no CSRF proof, as before.
    await t.http.post('/v1/patients').set(c.practitioner.auth).send(patientBody()).expect(201);
    // A cross-site sign-in form is refused too; a wrong password is the usual 401.
    await t.http.post('/v1/auth/session').set('Origin', 'https://evil.example').send({ email: c.admin.email, password: c.admin.password }).expect(403);
    expect((await t.http.post('/v1/auth/session').send({ email: c.admin.email, password: 'not-the-password' }).expect(401)).body.message).toBe('Email or password is wrong');
  });

  it('ends a session left idle for SESSION_IDLE_MINUTES (720), sliding with use', async () => {
    const c = await newClinic(t);
    const b = await signIn(c.compliance.email, c.compliance.password);
    t.clock.advance(719 * 60_000);
    await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(200);
    t.clock.advance(719 * 60_000);
    await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(200);
    t.clock.advance(720 * 60_000);
    expect((await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(401)).body.message).toBe('Your session has expired after being idle; sign in again');
    t.clock.advance(-720 * 60_000);
    await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(401);
  });

  it('a session ended by another instance stops working here within CREDENTIAL_TTL_MS; one ended here, at once', async () => {
    const c = await newClinic(t);
    const b = await signIn(c.practitioner.email, c.practitioner.password);
    await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(200);
    // Another instance signs it out (its own transaction): this instance's cached row serves until the TTL is over.
    const sessionId = b.cookie.split(';')[0].split('=')[1];
    await t.db.query(`UPDATE staff_sessions SET ended_at = now(), end_reason = 'signed out' WHERE token_hash = sha256($1::bytea)`, [Buffer.from(sessionId)]);
    t.clock.advance(CREDENTIAL_TTL_MS - 1);
    await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(200);
    t.clock.advance(1);
    expect((await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(401)).body.message).toBe('Your session has ended; sign in again');
    // Signed out here: the very next request is refused.
    const again = await signIn(c.practitioner.email, c.practitioner.password);
    await t.http.get('/v1/flags').set('Cookie', again.cookie).expect(200);
    await t.http.delete('/v1/auth/session').set('Cookie', again.cookie).set('X-CSRF-Token', again.csrf).expect(204);
    await t.http.get('/v1/flags').set('Cookie', again.cookie).expect(401);
  });

  it('deactivation ends the open session and the bearer token at once; reactivation needs a new sign-in', async () => {
    const c = await newClinic(t);
    const b = await signIn(c.practitioner.email, c.practitioner.password);
    const res = await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ active: false }).expect(200);
    expect(res.body).toMatchObject({ id: c.practitioner.id, active: false, mustChangePassword: false });
    expect(res.body).not.toHaveProperty('tokenVersion');
    expect(res.body).not.toHaveProperty('passwordHash');
    await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(401);
    await t.http.get('/v1/flags').set(c.practitioner.auth).expect(401);
    await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: c.practitioner.password }).expect(401);
    await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ active: true }).expect(200);
    await t.http.get('/v1/flags').set(c.practitioner.auth).expect(401);
    await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(401);
    const again = await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: c.practitioner.password }).expect(200);
    await t.http.get('/v1/flags').set({ Authorization: `Bearer ${again.body.accessToken}` }).expect(200);
    const events = (await auditOf(c, c.practitioner.id)).filter((e) => e.action === 'staff.updated');
    expect(events.map((e) => [e.data, e.changes])).toEqual([
      [{ fields: ['active'], requestId: expect.any(String) }, { active: { from: true, to: false } }],
      [{ fields: ['active'], requestId: expect.any(String) }, { active: { from: false, to: true } }],
    ]);
  });

  it('a role change ends sessions and bearer tokens too, and the new sign-in carries the new role', async () => {
    const c = await newClinic(t);
    const b = await signIn(c.practitioner.email, c.practitioner.password);
    await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ role: 'compliance' }).expect(200);
    await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(401);
    await t.http.get('/v1/flags').set(c.practitioner.auth).expect(401);
    const again = await signIn(c.practitioner.email, c.practitioner.password);
    expect(again.body.staff.role).toBe('compliance');
    const [event] = (await auditOf(c, c.practitioner.id)).filter((e) => e.action === 'staff.updated');
    expect(event.changes).toEqual({ role: { from: 'practitioner', to: 'compliance' } });
    // The same value again changes nothing and records nothing.
    await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ role: 'compliance' }).expect(200);
    await t.http.get('/v1/auth/session').set('Cookie', again.cookie).expect(200);
  });

  it('a temporary password must be changed before anything else; the change is audited', async () => {
    const c = await newClinic(t);
    const bearerBefore = c.practitioner.auth;
    const weak = await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ temporaryPassword: 'short' }).expect(400);
    expect(weak.body.message).toBe('temporaryPassword must be at least 12 characters');
    await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ temporaryPassword: 'temporary-violet-lamp' }).expect(200);
    await t.http.get('/v1/flags').set(bearerBefore).expect(401);
    await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: c.practitioner.password }).expect(401);

    const login = await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: 'temporary-violet-lamp' }).expect(200);
    expect(login.body.mustChangePassword).toBe(true);
    const bearer = { Authorization: `Bearer ${login.body.accessToken}` };
    expect((await t.http.get('/v1/flags').set(bearer).expect(403)).body.message).toMatch(/^Password change required/);
    const b = await signIn(c.practitioner.email, 'temporary-violet-lamp');
    expect(b.body.staff.mustChangePassword).toBe(true);
    await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(200);
    expect((await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(403)).body.message).toMatch(/^Password change required/);

    const change = (body: Record<string, string>) => t.http.post('/v1/auth/password').set('Cookie', b.cookie).set('X-CSRF-Token', b.csrf).send(body);
    await t.http.post('/v1/auth/password').set('Cookie', b.cookie).send({ currentPassword: 'temporary-violet-lamp', newPassword: 'my-own-quiet-harbour' }).expect(403);
    expect((await change({ currentPassword: 'wrong-current-pw', newPassword: 'my-own-quiet-harbour' }).expect(400)).body.message).toBe('currentPassword is wrong');
    expect((await change({ currentPassword: 'temporary-violet-lamp', newPassword: 'password1234' }).expect(400)).body.message).toBe('newPassword is one of the most commonly used passwords; choose another');
    await change({ currentPassword: 'temporary-violet-lamp', newPassword: 'my-own-quiet-harbour' }).expect(204);
    // This session goes on, unlocked; the bearer token from before the change is revoked.
    await t.http.get('/v1/flags').set('Cookie', b.cookie).expect(200);
    expect((await t.http.get('/v1/auth/session').set('Cookie', b.cookie).expect(200)).body.staff.mustChangePassword).toBe(false);
    await t.http.get('/v1/flags').set(bearer).expect(401);
    await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: 'my-own-quiet-harbour' }).expect(200);
    const actions = (await auditOf(c, c.practitioner.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['staff.updated', 'staff.password_changed']));
    const staff = (await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items.find((s: { id: string }) => s.id === c.practitioner.id);
    expect(staff).toMatchObject({ active: true, mustChangePassword: false, lastSignInAt: t.clock.now().toISOString() });
  });

  it('a staff member changes their own password with a bearer token too', async () => {
    const c = await newClinic(t);
    await t.http.post('/v1/auth/password').set(c.compliance.auth).send({ currentPassword: c.compliance.password, newPassword: 'another-long-passphrase' }).expect(204);
    await t.http.get('/v1/audit-events').set(c.compliance.auth).expect(401);
    await t.http.post('/v1/auth/login').send({ email: c.compliance.email, password: c.compliance.password }).expect(401);
    await t.http.post('/v1/auth/login').send({ email: c.compliance.email, password: 'another-long-passphrase' }).expect(200);
  });

  it('the last active admin cannot deactivate or demote themself (409); with a second admin they can', async () => {
    const c = await newClinic(t);
    const self = (body: object) => t.http.patch(`/v1/staff/${c.admin.id}`).set(c.admin.auth).send(body);
    expect((await self({ active: false }).expect(409)).body.message).toBe('This is the last active admin of the clinic: make someone else an admin first');
    await self({ role: 'practitioner' }).expect(409);
    await t.http.get('/v1/staff').set(c.admin.auth).expect(200);
    await t.http.patch(`/v1/staff/${c.compliance.id}`).set(c.admin.auth).send({ role: 'admin' }).expect(200);
    await self({ role: 'practitioner' }).expect(200);
    await t.http.get('/v1/staff').set(c.admin.auth).expect(401);
  });

  it('another clinic\'s staff member is 404; only admins may change staff; bad bodies are 400', async () => {
    const a = await newClinic(t);
    const b = await newClinic(t);
    expect((await t.http.patch(`/v1/staff/${a.practitioner.id}`).set(b.admin.auth).send({ active: false }).expect(404)).body.message).toBe('Staff member not found');
    await t.http.patch(`/v1/staff/${randomUUID()}`).set(b.admin.auth).send({ active: false }).expect(404);
    await t.http.patch(`/v1/staff/${a.practitioner.id}`).set(a.practitioner.auth).send({ active: false }).expect(403);
    await t.http.patch(`/v1/staff/not-a-uuid`).set(a.admin.auth).send({ active: false }).expect(400);
    await t.http.patch(`/v1/staff/${a.practitioner.id}`).set(a.admin.auth).send({ role: 'owner' }).expect(400);
    await t.http.patch(`/v1/staff/${a.practitioner.id}`).set(a.admin.auth).send({ active: 'no' }).expect(400);
    await t.http.patch(`/v1/staff/${a.practitioner.id}`).set(a.admin.auth).send({ tokenVersion: 0 }).expect(400);
    await t.http.get('/v1/flags').set(a.practitioner.auth).expect(200);
    // A staff email of another clinic says nothing about that clinic: emails are unique per clinic (test/staff-emails.e2e-spec.ts).
    await t.http.post('/v1/staff').set(b.admin.auth).send({ email: a.practitioner.email, name: 'X', role: 'practitioner', password: 'long-enough-passphrase' }).expect(201);
    await t.http.post('/v1/staff').set(a.admin.auth).send({ email: a.practitioner.email, name: 'X', role: 'practitioner', password: 'long-enough-passphrase' }).expect(409);
    void newEmail;
  });
});
