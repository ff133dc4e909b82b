import { randomUUID } from 'node:crypto';
import { ACCOUNTS_TRIED_PER_SIGN_IN, AuthService } from '../src/auth/auth.service';
import * as passwords from '../src/common/passwords';
import { ClinicsService } from '../src/clinics/clinics.service';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newEmail, TestClinic } from './support/factories';

/**
 * Staff emails are unique per clinic, not across the platform: an admin learns nothing about
 * other clinics' staff, and one person may hold an account at each of several clinics.
 */
describe('staff emails are per clinic and not enumerable across clinics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const PASSWORD_A = 'clinic-a-own-long-phrase';
  const PASSWORD_B = 'clinic-b-other-long-phrase';
  const addStaff = (c: TestClinic, email: string, password: string, role = 'practitioner') =>
    t.http.post('/v1/staff').set(c.admin.auth).send({ email, name: 'Shared Person', role, password });
  const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; clinicId: string };
  const login = (body: Record<string, unknown>) => t.http.post('/v1/auth/login').send(body);

  it('a 201 for an email that exists only at another clinic; a 409 that says so for the own clinic', async () => {
    const [a, b] = [await newClinic(t), await newClinic(t)];
    const email = newEmail('shared');
    const inA = await addStaff(a, email, PASSWORD_A).expect(201);
    // Clinic B's admin is not told that the address has an account at clinic A.
    const inB = await addStaff(b, email.toUpperCase(), PASSWORD_B).expect(201);
    expect(inB.body.id).not.toBe(inA.body.id);
    expect(inB.body.clinicId).toBe(b.clinic.id);
    // The same clinic twice (in any case) is a 409 naming the clinic, not the platform.
    const dup = await addStaff(b, email.toLowerCase(), PASSWORD_B).expect(409);
    expect(dup.body.message).toBe('A staff member of this clinic already has this email; change their account rather than adding another');
    // An address used at no clinic at all and one used at another clinic get the same answer from B's admin.
    const fresh = await addStaff(b, newEmail('fresh'), PASSWORD_B).expect(201);
    expect(Object.keys(fresh.body).sort()).toEqual(Object.keys(inB.body).sort());
    // Each admin sees only their own clinic's account.
    const listA = (await t.http.get('/v1/staff').set(a.admin.auth).expect(200)).body.items as Array<{ id: string; email: string }>;
    const listB = (await t.http.get('/v1/staff').set(b.admin.auth).expect(200)).body.items as Array<{ id: string; email: string }>;
    expect(listA.filter((s) => s.email.toLowerCase() === email.toLowerCase()).map((s) => s.id)).toEqual([inA.body.id]);
    expect(listB.filter((s) => s.email.toLowerCase() === email.toLowerCase()).map((s) => s.id)).toEqual([inB.body.id]);
  });

  it('signs in to each account by its own password, as a bearer token and as a browser session', async () => {
    const [a, b] = [await newClinic(t), await newClinic(t)];
    const email = newEmail('shared');
    const inA = (await addStaff(a, email, PASSWORD_A).expect(201)).body;
    const inB = (await addStaff(b, email, PASSWORD_B, 'admin').expect(201)).body;
    const tokenA = (await login({ email, password: PASSWORD_A }).expect(200)).body.accessToken;
    const tokenB = (await login({ email: email.toUpperCase(), password: PASSWORD_B }).expect(200)).body.accessToken;
    expect(claims(tokenA)).toMatchObject({ sub: inA.id, clinicId: a.clinic.id });
    expect(claims(tokenB)).toMatchObject({ sub: inB.id, clinicId: b.clinic.id });
    const seenByB = (await t.http.get('/v1/staff').set({ Authorization: `Bearer ${tokenB}` }).expect(200)).body.items as Array<{ id: string }>;
    expect(seenByB.map((s) => s.id)).toContain(inB.id);
    expect(seenByB.map((s) => s.id)).not.toContain(inA.id);
    const session = await t.http.post('/v1/auth/session').send({ email, password: PASSWORD_A }).expect(200);
    expect(session.body.staff).toMatchObject({ id: inA.id, clinicId: a.clinic.id, clinicName: a.clinic.name });
    // A clinic named where the account has another password, or no account: the usual 401.
    await login({ email, password: PASSWORD_A, clinicId: b.clinic.id }).expect(401);
    await login({ email, password: PASSWORD_A, clinicId: randomUUID() }).expect(401);
    await login({ email, password: PASSWORD_A, clinicId: 'clinic-a' }).expect(400);
    await login({ email, password: PASSWORD_A, clinicId: a.clinic.id }).expect(200);
  });

  it('asks which clinic when one email and password open accounts at two, and signs in to the one chosen', async () => {
    const [a, b] = [await newClinic(t), await newClinic(t)];
    const email = newEmail('both');
    const same = 'one-phrase-for-both-clinics';
    const inA = (await addStaff(a, email, same).expect(201)).body;
    const inB = (await addStaff(b, email, same, 'admin').expect(201)).body;
    const ask = await login({ email, password: same }).expect(409);
    expect(ask.body.accessToken).toBeUndefined();
    expect(ask.body.message).toMatch(/more than one clinic/);
    expect(ask.body.clinics).toEqual(
      [
        { id: a.clinic.id, name: a.clinic.name },
        { id: b.clinic.id, name: b.clinic.name },
      ].sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id)),
    );
    // The browser sign-in asks the same, and sets no cookie.
    const askSession = await t.http.post('/v1/auth/session').send({ email, password: same }).expect(409);
    expect(askSession.body.clinics).toHaveLength(2);
    expect(askSession.headers['set-cookie']).toBeUndefined();
    expect(claims((await login({ email, password: same, clinicId: b.clinic.id }).expect(200)).body.accessToken)).toMatchObject({ sub: inB.id, clinicId: b.clinic.id });
    const chosen = await t.http.post('/v1/auth/session').send({ email, password: same, clinicId: a.clinic.id }).expect(200);
    expect(chosen.body.staff).toMatchObject({ id: inA.id, clinicId: a.clinic.id, role: 'practitioner' });
    // No sign-in happened on the question: only the two chosen sign-ins are in the record.
    const signIns = await t.db.query(`SELECT entity_id FROM audit_events WHERE action = 'staff.logged_in' AND entity_id = ANY($1::text[])`, [[inA.id, inB.id]]);
    expect(signIns).toHaveLength(2);
  });

  it('does the same hashing work, and answers the same, for an unknown email and for one with 0, 1 or 2 accounts', async () => {
    const [a, b] = [await newClinic(t), await newClinic(t)];
    const one = newEmail('one');
    const two = newEmail('two');
    await addStaff(a, one, PASSWORD_A).expect(201);
    await addStaff(a, two, PASSWORD_A).expect(201);
    await addStaff(b, two, PASSWORD_B).expect(201);
    const spy = jest.spyOn(passwords, 'verifyPassword');
    try {
      const attempt = async (body: Record<string, unknown>) => {
        spy.mockClear();
        const res = await login(body).expect(401);
        return { hashes: spy.mock.calls.length, body: res.body };
      };
      const unknown = await attempt({ email: newEmail('nobody'), password: 'wrong-long-password' });
      const known = await attempt({ email: one, password: 'wrong-long-password' });
      const twice = await attempt({ email: two, password: 'wrong-long-password' });
      expect(unknown.hashes).toBe(ACCOUNTS_TRIED_PER_SIGN_IN);
      expect(known.hashes).toBe(ACCOUNTS_TRIED_PER_SIGN_IN);
      expect(twice.hashes).toBe(ACCOUNTS_TRIED_PER_SIGN_IN);
      expect(known.body).toEqual(unknown.body);
      expect(twice.body).toEqual(unknown.body);
      // Naming a clinic: one hash, account or not.
      expect((await attempt({ email: newEmail('nobody'), password: 'wrong-long-password', clinicId: a.clinic.id })).hashes).toBe(1);
      expect((await attempt({ email: one, password: 'wrong-long-password', clinicId: a.clinic.id })).hashes).toBe(1);
      // A right password costs the same hashes as a wrong one.
      spy.mockClear();
      await login({ email: one, password: PASSWORD_A }).expect(200);
      expect(spy.mock.calls.length).toBe(ACCOUNTS_TRIED_PER_SIGN_IN);
      // Every hash compared had the same cost parameters (the dummy hash is made like a real one).
      const costs = new Set(spy.mock.calls.map(([, stored]) => stored.split('$').slice(0, 4).join('$')));
      expect(costs.size).toBe(1);
    } finally {
      spy.mockRestore();
    }
    // Failed sign-ins on real accounts are filed in each clinic's record (both of the shared email's), after the answer.
    await t.get(AuthService).failedSignInsRecorded();
    const failed = await t.db.query(`SELECT clinic_id FROM audit_events WHERE action = 'staff.login_failed' AND clinic_id = ANY($1::uuid[])`, [[a.clinic.id, b.clinic.id]]);
    expect(failed.filter((r: { clinic_id: string }) => r.clinic_id === b.clinic.id)).toHaveLength(1);
  });

  it('tries at most ACCOUNTS_TRIED_PER_SIGN_IN accounts, the most recent first; the others sign in by clinic', async () => {
    const clinics = [];
    for (let i = 0; i <= ACCOUNTS_TRIED_PER_SIGN_IN; i++) clinics.push(await newClinic(t));
    const email = newEmail('many');
    const ids: string[] = [];
    for (const [i, c] of clinics.entries()) {
      t.clock.advance(60_000);
      ids.push((await addStaff(c, email, `clinic-${i}-own-long-phrase`).expect(201)).body.id);
    }
    // The oldest, untouched account is beyond the bound: not tried without its clinic.
    await login({ email, password: 'clinic-0-own-long-phrase' }).expect(401);
    t.clock.advance(60_000);
    expect(claims((await login({ email, password: 'clinic-0-own-long-phrase', clinicId: clinics[0].clinic.id }).expect(200)).body.accessToken).sub).toBe(ids[0]);
    // Having signed in, it is now the most recent: tried first.
    expect(claims((await login({ email, password: 'clinic-0-own-long-phrase' }).expect(200)).body.accessToken).sub).toBe(ids[0]);
  });

  it('keeps password change, temporary passwords and deactivation to the one account', async () => {
    const [a, b] = [await newClinic(t), await newClinic(t)];
    const email = newEmail('life');
    const inA = (await addStaff(a, email, PASSWORD_A).expect(201)).body;
    const inB = (await addStaff(b, email, PASSWORD_B, 'admin').expect(201)).body;
    const tokenA = (await login({ email, password: PASSWORD_A }).expect(200)).body.accessToken;
    const authA = { Authorization: `Bearer ${tokenA}` };
    // The current password is this account's: B's password does not pass for A's account.
    const wrong = await t.http.post('/v1/auth/password').set(authA).send({ currentPassword: PASSWORD_B, newPassword: 'a-brand-new-long-phrase' }).expect(400);
    expect(wrong.body.message).toBe('currentPassword is wrong');
    await t.http.post('/v1/auth/password').set(authA).send({ currentPassword: PASSWORD_A, newPassword: 'a-brand-new-long-phrase' }).expect(204);
    await login({ email, password: 'a-brand-new-long-phrase' }).expect(200);
    await login({ email, password: PASSWORD_B }).expect(200);
    await login({ email, password: PASSWORD_A }).expect(401);
    // B's admin sets a temporary password on B's account only (issue 12's invitation is the same step at creation).
    await t.http.patch(`/v1/staff/${inB.id}`).set(b.admin.auth).send({ temporaryPassword: 'temporary-long-phrase' }).expect(200);
    const temp = (await login({ email, password: 'temporary-long-phrase' }).expect(200)).body;
    expect(temp.mustChangePassword).toBe(true);
    expect(claims(temp.accessToken).sub).toBe(inB.id);
    expect((await login({ email, password: 'a-brand-new-long-phrase' }).expect(200)).body.mustChangePassword).toBe(false);
    // A deactivated account is not tried; the person's other account still signs in.
    await t.http.patch(`/v1/staff/${inA.id}`).set(a.admin.auth).send({ active: false }).expect(200);
    await login({ email, password: 'a-brand-new-long-phrase' }).expect(401);
    await login({ email, password: 'a-brand-new-long-phrase', clinicId: a.clinic.id }).expect(401);
    await login({ email, password: 'temporary-long-phrase' }).expect(200);
  });

  it('lets the CLI and the bootstrap (one code path) create a clinic whose admin email exists at another clinic', async () => {
    const a = await newClinic(t);
    const { clinic, admin } = await t.get(ClinicsService).createClinicWithAdmin({ name: `Second home ${randomUUID().slice(0, 4)}`, timeZone: 'Europe/Madrid', adminEmail: a.admin.email, adminPassword: 'second-home-long-phrase' });
    expect(admin.clinicId).toBe(clinic.id);
    expect(claims((await login({ email: a.admin.email, password: 'second-home-long-phrase' }).expect(200)).body.accessToken).clinicId).toBe(clinic.id);
    expect(claims((await login({ email: a.admin.email, password: a.admin.password }).expect(200)).body.accessToken).clinicId).toBe(a.clinic.id);
    await expect(t.get(ClinicsService).createStaff(clinic.id, { type: 'system', id: 'cli' } as never, { email: a.admin.email.toUpperCase(), name: 'Dup', role: 'admin', password: 'another-long-phrase' })).rejects.toThrow(/of this clinic already has this email/);
  });
});
