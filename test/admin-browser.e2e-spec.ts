import type { Page } from 'playwright-core';
import type { TestApp } from './support/app';
import { BUILD_TIMEOUT_MS } from './support/console-build';
import { axe, browserSuite, describeInBrowser, DESKTOP, PHONE, screenshot, signIn, submitSignIn } from './support/browser';
import { newClinic, newPatient, newTreatment, type StaffLogin } from './support/factories';

/**
 * The admin pages in a real browser against the real service: staff (invite with a temporary
 * password that must be changed, deactivation that ends an open session, the last admin kept),
 * clinic settings with errors at their fields, the on-call rota (a shift past midnight shown on
 * the On call page), protocol versions side by side, API keys shown once and revoked; and
 * practitioners and compliance staff kept out.
 */
describeInBrowser('Console in a browser: admin pages', () => {
  const suite = browserSuite({ start: '2026-03-02T08:00:00Z' });
  const open = suite.open;
  let t: TestApp;

  beforeAll(async () => {
    t = suite.t;
  }, BUILD_TIMEOUT_MS);

  const noSidewaysScroll = async (page: Page, width: number) => expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);

  it('an admin invites a practitioner, who signs in with the temporary password and must change it', async () => {
    const c = await newClinic(t);
    const page = await open();
    await signIn(page, c.admin, '/admin/staff');
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Triage queue', 'Patients', 'On call', 'Staff', 'Clinic settings', 'Protocols', 'API keys', 'Adverse events', 'Audit log', 'Integrity', 'Signals', 'Course report']);
    await page.getByRole('row', { name: /A practitioner/ }).waitFor();
    await axe(page);

    await page.getByRole('button', { name: 'Invite a staff member' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Ines Invited');
    const email = `ines-${Date.now()}@clinic.example`;
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByRole('button', { name: /Role/ }).click();
    await page.getByRole('option', { name: 'Practitioner' }).click();
    await axe(page);
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('heading', { name: 'Ines Invited is invited' }).waitFor();
    const password = (await page.getByTestId('secret').textContent())!.trim();
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const row = page.getByRole('row', { name: /Ines Invited/ });
    expect(await row.textContent()).toContain('Must change password');
    await axe(page);
    await screenshot(page, 'admin-staff-1280');

    const phone = await open(PHONE);
    await signIn(phone, c.admin, '/admin/staff');
    await phone.getByRole('row', { name: /Ines Invited/ }).waitFor();
    await noSidewaysScroll(phone, PHONE.width);
    await axe(phone);
    await screenshot(phone, 'admin-staff-375');

    // The invited practitioner: the temporary password works once, for changing it.
    const them = await open(PHONE);
    await submitSignIn(them, { email, password });
    await them.getByRole('heading', { level: 1, name: 'Change your password' }).waitFor();
    await them.getByText('You signed in with a temporary password').waitFor();
    await them.getByLabel('Temporary password').fill(password);
    await them.getByLabel('New password', { exact: true }).fill('lantern-meadow-copper-91');
    await them.getByLabel('New password again').fill('lantern-meadow-copper-91');
    await them.getByRole('button', { name: 'Change password' }).click();
    await them.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    // A practitioner does not see the admin pages in the navigation.
    expect(await them.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Triage queue', 'Patients', 'On call']);
  });

  it("an admin deactivates a practitioner whose open session then stops working; the last admin cannot be deactivated", async () => {
    const c = await newClinic(t);
    const theirs = await open(PHONE);
    await signIn(theirs, c.practitioner);
    await theirs.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();

    const page = await open();
    await signIn(page, c.admin, '/admin/staff');
    await page.getByRole('button', { name: 'Deactivate A practitioner' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('signed out everywhere at once');
    await axe(page);
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('status').filter({ hasText: 'A practitioner is deactivated' }).waitFor();
    expect(await page.getByRole('row', { name: /A practitioner/ }).textContent()).toContain('Deactivated');
    expect((await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items.find((s: { id: string }) => s.id === c.practitioner.id).active).toBe(false);

    // Their open page: the next thing they do sends them to sign in.
    await theirs.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
    await theirs.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The only admin deactivating themselves is refused, in words.
    await page.getByRole('button', { name: /^Deactivate Administrator$/ }).click();
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'is the clinic’s last active administrator' }).waitFor();
    await axe(page);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Reactivated, they can sign in again.
    await page.getByRole('button', { name: 'Reactivate A practitioner' }).click();
    await dialog.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByRole('status').filter({ hasText: 'A practitioner is active again' }).waitFor();

    // Change a role, and reset a password (a temporary one, shown once, that must be changed).
    await page.getByRole('button', { name: 'Change role of A compliance' }).click();
    await dialog.getByRole('button', { name: /New role/ }).click();
    await page.getByRole('option', { name: 'Practitioner' }).click();
    await dialog.getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').filter({ hasText: 'A compliance’s role is now Practitioner' }).waitFor();
    await page.getByRole('button', { name: 'Reset password of A compliance' }).click();
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('heading', { name: 'A compliance’s password is reset' }).waitFor();
    const temporary = (await page.getByTestId('secret').textContent())!.trim();
    const login = (await t.http.post('/v1/auth/login').send({ email: c.compliance.email, password: temporary }).expect(200)).body;
    expect(login.mustChangePassword).toBe(true);
    await page.getByRole('row', { name: /A compliance/ }).filter({ hasText: 'Must change password' }).waitFor();
    await axe(page);
  });

  it('settings: an error is shown at its field; the rota is edited with a shift past midnight and the On call page shows it', async () => {
    const c = await newClinic(t);
    const page = await open();
    await signIn(page, c.admin, '/admin/settings');
    await page.getByRole('heading', { level: 1, name: 'Clinic settings' }).waitFor();
    await page.getByRole('heading', { name: 'On-call rota' }).waitFor();
    await axe(page);

    // The API refuses a sender at a domain the service may not send for: the message is at the field.
    const emailFrom = page.getByLabel('Email sender');
    await emailFrom.fill('care@not-ours.example');
    await page.getByLabel('Urgent flags after (minutes)').fill('15');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Check the fields marked below.').first().waitFor();
    expect(await emailFrom.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await emailFrom.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages.join(' ')).toContain('Must be an address at');
    await axe(page);
    await screenshot(page, 'admin-settings-error-1280');
    await emailFrom.fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'The settings are saved' }).waitFor();
    expect((await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body.escalateUrgentAfterMinutes).toBe(15);

    // Monday 22:00 until 06:00: past midnight into Tuesday.
    await page.getByRole('button', { name: 'Add a shift on Monday' }).click();
    await page.getByLabel('Who (Monday shift 1)').selectOption({ label: 'A practitioner' });
    await page.getByLabel('From (Monday shift 1)').fill('22:00');
    await page.getByLabel('Until (Monday shift 1)').fill('06:00');
    await page.getByText('Ends 06:00 on Tuesday (past midnight).').waitFor();
    // The week at a glance: Monday's shift, and its end on Tuesday morning.
    const week = page.getByRole('table', { name: /The week at a glance/ });
    expect((await week.getByRole('cell').nth(0).textContent())!).toContain('22:00–06:00 next day A practitioner');
    expect((await week.getByRole('cell').nth(1).textContent())!).toContain('00:00–06:00 A practitioner (from Monday)');
    // A wrong time is refused by the API and shown at its field.
    await page.getByRole('button', { name: 'Add a shift on Wednesday' }).click();
    const wrong = page.getByLabel('From (Wednesday shift 1)');
    await wrong.fill('25:00');
    await page.getByRole('button', { name: 'Save rota' }).click();
    await page.getByText('Check the shifts marked below.').waitFor();
    expect(await wrong.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Must be a local time HH:mm (00:00–23:59).').waitFor();
    await axe(page);
    await page.getByRole('button', { name: 'Remove Wednesday shift 1' }).click();
    await page.getByRole('button', { name: 'Save rota' }).click();
    await page.getByRole('status').filter({ hasText: 'The rota is saved' }).waitFor();
    await axe(page);
    await screenshot(page, 'admin-settings-1280');

    const phone = await open(PHONE);
    await signIn(phone, c.admin, '/admin/settings');
    await phone.getByLabel('Until (Monday shift 1)').waitFor();
    await noSidewaysScroll(phone, PHONE.width);
    await axe(phone);
    await screenshot(phone, 'admin-settings-375');

    // The practitioner's On call page shows the new shift.
    const theirs = await open();
    await signIn(theirs, c.practitioner, '/on-call');
    await theirs.getByRole('heading', { level: 1, name: 'On call' }).waitFor();
    const shift = theirs.getByRole('row', { name: /Monday/ });
    await shift.waitFor();
    expect((await shift.textContent())!.replace(/\s+/g, ' ')).toMatch(/Monday.*22:00.*06:00 next day.*A practitioner/);
  });

  it('a new protocol version appears beside the old one, with the treatments that use each', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    await newTreatment(t, c, p.id, { protocolKey: 'body' });
    const page = await open();
    await signIn(page, c.admin, '/admin/protocols?key=body');
    await page.getByRole('heading', { name: /versions/ }).waitFor();
    await page.getByRole('row', { name: /Version 1/ }).filter({ hasText: '1 (1 not cancelled) for 1 patient' }).waitFor();
    await axe(page);

    await page.getByRole('button', { name: 'New version from a copy of version 1' }).click();
    await page.getByLabel('Name').fill('Body, fewer late check-ins');
    await page.getByLabel('Check-ins on days').fill('1, 3, 7, 14, 30');
    await page.getByLabel('Redness').fill('2:3, 5:2, 10:1');
    await axe(page);
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByRole('status').filter({ hasText: 'Version 2 is saved' }).waitFor();
    await page.getByRole('heading', { name: 'Version 2 beside version 1' }).waitFor();
    const diff = page.locator('table.diff');
    const changedRows = await diff.locator('tr.changed th').allTextContents();
    expect(changedRows).toEqual(['NameChanged', 'Check-ins on daysChanged', 'Usual redness (score 0–4)Changed']);
    const daysRow = diff.getByRole('row', { name: /Check-ins on days/ });
    expect((await daysRow.textContent())!).toContain('1, 3, 7, 14, 30, 60, 90');
    expect((await daysRow.textContent())!).toContain('1, 3, 7, 14, 30');
    await axe(page);
    await screenshot(page, 'admin-protocols-1280');
    await page.setViewportSize(PHONE);
    await noSidewaysScroll(page, PHONE.width);
    await axe(page);
  });

  it('an API key is shown once, works against the API, and is refused once revoked', async () => {
    const c = await newClinic(t);
    const page = await open();
    await signIn(page, c.admin, '/admin/api-keys');
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByText('The clinic has no API keys.').waitFor();
    await axe(page);
    await page.getByRole('button', { name: 'Create an API key' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Booking system');
    await page.getByRole('dialog').getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Key “Booking system” is created' }).waitFor();
    const key = (await page.getByTestId('secret').textContent())!.trim();
    expect(key).toMatch(/^ak_/);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await axe(page);
    await screenshot(page, 'admin-api-keys-1280');

    await t.http.get('/v1/protocols').set({ 'X-API-Key': key }).expect(200);
    await t.http.get('/v1/protocols').set({ Authorization: `Bearer ${key}` }).expect(200);

    // Shown once: after a reload the list has the key's start, never the key.
    await page.reload();
    await page.getByRole('row', { name: /Booking system/ }).waitFor();
    expect(await page.content()).not.toContain(key);

    await page.getByRole('button', { name: 'Revoke Booking system' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('status').filter({ hasText: 'is revoked' }).waitFor();
    await page.getByRole('row', { name: /Booking system/ }).filter({ hasText: 'Revoked' }).waitFor();
    await t.http.get('/v1/protocols').set({ 'X-API-Key': key }).expect(401);
    await t.http.get('/v1/protocols').set({ Authorization: `Bearer ${key}` }).expect(401);
  });

  it('practitioners and compliance staff do not see the admin pages and are told they are not allowed', async () => {
    const c = await newClinic(t);
    for (const who of [c.practitioner, c.compliance] as StaffLogin[]) {
      const page = await open(PHONE);
      await signIn(page, who);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.waitFor();
      const links = await nav.getByRole('link').allTextContents();
      for (const admin of ['Staff', 'Clinic settings', 'Protocols', 'API keys']) expect(links).not.toContain(admin);
      for (const path of ['/app/admin/staff', '/app/admin/settings', '/app/admin/protocols', '/app/admin/api-keys']) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
        expect(await page.getByRole('button', { name: /Invite|Save|Create|Revoke|Deactivate/ }).count()).toBe(0);
      }
      await axe(page);
    }
  });
});
