import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { StaffUser } from '../src/clinics/staff-user.entity';
import { AuthService } from '../src/auth/auth.service';
import { CREDENTIAL_TTL_MS } from '../src/auth/credential-cache';
import { createTestApp, TestApp } from './support/app';
import { newClinic } from './support/factories';

describe('staff and integration credentials', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('an API key works for its clinic until an admin revokes it, and is shown only once', async () => {
    const c = await newClinic(t);
    const created = await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name: 'booking-system' }).expect(201);
    expect(created.body.key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
    const key = { 'X-API-Key': created.body.key };
    await t.http.post('/v1/patients').set(key).send({ givenName: 'I', familyName: 'K', email: 'ik@example.test', emailConsent: true }).expect(201);
    // The same key as a bearer token works too.
    await t.http.post('/v1/patients').set({ Authorization: `Bearer ${created.body.key}` }).send({ givenName: 'I', familyName: 'L', email: 'il@example.test' }).expect(201);

    const listed = (await t.http.get('/v1/api-keys').set(c.admin.auth).expect(200)).body.items;
    expect(listed).toEqual([expect.objectContaining({ name: 'booking-system', keyPrefix: created.body.key.slice(0, 10), revokedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(created.body.key);

    await t.http.post(`/v1/api-keys/${created.body.id}/revoke`).set(c.practitioner.auth).expect(403);
    await t.http.post(`/v1/api-keys/${created.body.id}/revoke`).set(c.admin.auth).expect(200);
    await t.http.post(`/v1/api-keys/${created.body.id}/revoke`).set(c.admin.auth).expect(409);
    const denied = await t.http.post('/v1/patients').set(key).send({ givenName: 'I', familyName: 'K', email: 'ik2@example.test' }).expect(401);
    expect(denied.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'The API key is invalid or has been revoked' });
    // A new key of the same name can be issued once the old one is revoked.
    await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name: 'booking-system' }).expect(201);
  });

  it('logins and failed logins on a real account are audited; a bad or expired token is 401', async () => {
    const c = await newClinic(t);
    await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: 'wrong-password' }).expect(401);
    // Written after the 401 went out (the answer does not wait for it: unknown emails have nothing to write).
    await t.get(AuthService).failedSignInsRecorded();
    const events = (await t.http.get(`/v1/audit-events?entityId=${c.practitioner.id}`).set(c.compliance.auth).expect(200)).body.items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['staff.created', 'staff.logged_in', 'staff.login_failed']);
    await t.http.get('/v1/flags').set({ Authorization: 'Bearer not-a-jwt' }).expect(401);
    await t.http.get('/v1/flags').set({ Authorization: 'Basic abc' }).expect(401);
    t.clock.advanceDays(401);
    const expired = await t.http.get('/v1/flags').set(c.practitioner.auth).expect(401);
    expect(expired.body.message).toContain('expired');
  });

  it('admins add staff; a duplicate email is a 409 and a weak password a 400', async () => {
    const c = await newClinic(t);
    await t.http.post('/v1/staff').set(c.admin.auth).send({ email: c.practitioner.email, name: 'Dup', role: 'practitioner', password: 'long-enough-password' }).expect(409);
    const weak = await t.http.post('/v1/staff').set(c.admin.auth).send({ email: 'new@example.test', name: 'New', role: 'practitioner', password: 'short' }).expect(400);
    expect(weak.body.message).toEqual(['password must be at least 12 characters']);
    await t.http.post('/v1/staff').set(c.admin.auth).send({ email: 'new2@example.test', name: 'New', role: 'owner', password: 'long-enough-password' }).expect(400);
    await t.http.post('/v1/staff').set(c.compliance.auth).send({ email: 'new3@example.test', name: 'New', role: 'admin', password: 'long-enough-password' }).expect(403);
    const staff = (await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items;
    expect(staff.map((s: { role: string }) => s.role).sort()).toEqual(['admin', 'compliance', 'practitioner']);
    expect(JSON.stringify(staff)).not.toContain('scrypt');
  });

  it('refuses a correctly signed JWT without sub (or sub null, or not a uuid), exp or iat', async () => {
    const c = await newClinic(t);
    const jwt = t.get(JwtService);
    const iat = Math.floor(t.clock.now().getTime() / 1000);
    const claims = { clinicId: c.clinic.id, role: 'admin' };
    const tokens = [
      await jwt.signAsync({ ...claims, iat }, { expiresIn: 3600 }),
      await jwt.signAsync({ ...claims, sub: null, iat }, { expiresIn: 3600 }),
      await jwt.signAsync({ ...claims, sub: '', iat }, { expiresIn: 3600 }),
      await jwt.signAsync({ ...claims, sub: 'admin', iat }, { expiresIn: 3600 }),
      await jwt.signAsync({ ...claims, sub: [c.admin.id], iat }, { expiresIn: 3600 }),
      // No exp: would never expire.
      await jwt.signAsync({ ...claims, sub: c.admin.id, iat }),
      // No iat.
      await jwt.signAsync({ ...claims, sub: c.admin.id }, { expiresIn: 3600, noTimestamp: true }),
    ];
    for (const token of tokens) {
      const res = await t.http.get('/v1/staff').set({ Authorization: `Bearer ${token}` });
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 401, message: expect.stringMatching(/access token is invalid/) });
    }
    // The same claims with sub, exp and iat are fine; an unknown sub is 401, not someone else.
    await t.http.get('/v1/staff').set({ Authorization: `Bearer ${await jwt.signAsync({ ...claims, sub: c.admin.id, iat }, { expiresIn: 3600 })}` }).expect(200);
    await t.http.get('/v1/staff').set({ Authorization: `Bearer ${await jwt.signAsync({ ...claims, sub: randomUUID(), iat }, { expiresIn: 3600 })}` }).expect(401);
  });

  it('caches a credential for at most CREDENTIAL_TTL_MS; a change made through this instance revokes it at once', async () => {
    const c = await newClinic(t);
    const b = await newClinic(t);
    await t.http.get('/v1/cases').set(c.practitioner.auth).expect(200);
    await t.http.get('/v1/cases').set(b.practitioner.auth).expect(200);
    // Another instance deactivates the account (its transaction is not this instance's): this
    // instance's cached row serves until the TTL is over, and not a moment longer.
    await t.db.query(`UPDATE staff_users SET active = false, token_version = token_version + 1 WHERE id = $1`, [c.practitioner.id]);
    t.clock.advance(CREDENTIAL_TTL_MS - 1);
    await t.http.get('/v1/cases').set(c.practitioner.auth).expect(200);
    t.clock.advance(1);
    expect((await t.http.get('/v1/cases').set(c.practitioner.auth).expect(401)).body.message).toBe('This account is no longer active');
    // Through this instance (the admin API): the cached row goes in the change's transaction, so
    // the very next request is refused, without waiting for the TTL.
    await t.http.get('/v1/cases').set(b.practitioner.auth).expect(200);
    await t.http.patch(`/v1/staff/${b.practitioner.id}`).set(b.admin.auth).send({ role: 'compliance' }).expect(200);
    expect((await t.http.get('/v1/cases').set(b.practitioner.auth).expect(401)).body.message).toMatch(/was revoked/);
    const again = (await t.http.post('/v1/auth/login').send({ email: b.practitioner.email, password: b.practitioner.password }).expect(200)).body.accessToken;
    await t.http.get('/v1/cases').set({ Authorization: `Bearer ${again}` }).expect(200);
  });

  it('refuses an undefined or null id in a where clause instead of matching any row', async () => {
    const staff = t.db.getRepository(StaffUser);
    await expect(staff.findOneBy({ id: undefined })).rejects.toThrow(/undefined/);
    await expect(staff.findOne({ where: { clinicId: null as unknown as string } })).rejects.toThrow(/null/);
    await expect(t.db.manager.update(StaffUser, { id: undefined }, { name: 'x' })).rejects.toThrow(/undefined/);
  });

  it('applies the password rules (NIST SP 800-63B) when staff are added, with messages that say why', async () => {
    const c = await newClinic(t);
    const add = (password: unknown, email = 'rules@example.test') => t.http.post('/v1/staff').set(c.admin.auth).send({ email, name: 'Rules', role: 'practitioner', password });
    expect((await add('password1234').expect(400)).body.message).toEqual(['password is one of the most commonly used passwords; choose another']);
    expect((await add('123456789012').expect(400)).body.message).toEqual(['password is too repetitive or sequential (e.g. "aaaa…", "1234…"); choose another']);
    expect((await add('x'.repeat(129)).expect(400)).body.message).toEqual(['password must be at most 128 characters']);
    expect((await add('rules@example.test').expect(400)).body.message).toEqual(['password must not be your name, email or the service\'s name; choose another']);
    // No composition rules: a long lower-case passphrase is fine.
    await add('purple monkey dishwasher', `ok-${randomUUID()}@example.test`).expect(201);
  });
});
