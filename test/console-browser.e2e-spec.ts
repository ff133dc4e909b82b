import type { TestApp } from './support/app';
import { axe, browserSuite, describeInBrowser, DESKTOP, focusOutline, PHONE, screenshot } from './support/browser';
import { newClinic, newEmail } from './support/factories';

describeInBrowser('Console in a browser: the shell', () => {
  // Room for building the console when dist/web is missing or stale (a fresh clone in CI): browserSuite's beforeAll.
  const suite = browserSuite();
  const open = suite.open;
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
  });

  it('shows the sign-in form, labelled, axe-clean, at a phone and a desktop width', async () => {
    for (const [viewport, name] of [
      [PHONE, 'login-375'],
      [DESKTOP, 'login-1280'],
    ] as const) {
      const page = await open(viewport);
      await page.goto('/app/login');
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await page.title()).toBe('Sign in · Aftercare');
      await expectVisible(page.getByRole('main'));
      await expectVisible(page.getByLabel('Email'));
      await expectVisible(page.getByLabel('Password'));
      await expectVisible(page.getByRole('button', { name: 'Sign in' }));
      // Nothing wider than the screen: no sideways scrolling on a phone.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
      await axe(page);
      await screenshot(page, name);
    }
  });

  it('is operable with the keyboard, and the focus can be seen', async () => {
    const page = await open();
    await page.goto('/app/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The email field has the focus on arrival; Tab goes to the password, then the button.
    expect(await page.evaluate<string>('document.activeElement.name')).toBe('email');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.name')).toBe('password');
    await page.keyboard.press('Tab');
    const focused = await focusOutline(page);
    expect(focused).toMatchObject({ tag: 'button', label: 'Sign in', outline: 'solid' });
    expect(focused.width).toBeGreaterThanOrEqual(2);
    // Enter on the empty form says what is missing, in words, at the field.
    await page.keyboard.press('Enter');
    await expectVisible(page.getByText('Fill out this field').or(page.getByText('Please fill out this field')).first());
    await axe(page);
  });

  it('shows a page-not-found page for an unknown address', async () => {
    const page = await open(PHONE);
    const res = await page.goto('/app/no-such-page');
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await expectVisible(page.getByRole('link', { name: 'Go to the triage queue' }));
    await axe(page);
  });

  it('says when the connection is lost, and recovers by itself', async () => {
    const page = await open();
    await page.goto('/app/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.context().setOffline(true);
    const lost = page.getByRole('status').filter({ hasText: 'Connection lost' });
    await lost.waitFor();
    await axe(page);
    await page.context().setOffline(false);
    // The browser is back online; the console checks with the service before saying so.
    await page.getByRole('status').filter({ hasText: 'Connection restored' }).waitFor();
    expect(await lost.count()).toBe(0);
  });

  it('a wrong password is refused in words, and a right one opens the triage queue', async () => {
    const c = await newClinic(t);
    const page = await open(PHONE);
    await page.goto('/app/login');
    await page.getByLabel('Email').fill(c.practitioner.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The email or password is not right');
    await axe(page);
    await screenshot(page, 'login-wrong-password-375');

    await page.getByLabel('Password').fill(c.practitioner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/app\/?$/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Triage queue', 'Patients', 'On call']);
    expect(await nav.getByRole('link', { name: 'Triage queue' }).getAttribute('aria-current')).toBe('page');
    await axe(page);
  });

  it('asks which clinic when the email and password open accounts at two, by keyboard, and opens the one chosen', async () => {
    const [a, b] = [await newClinic(t), await newClinic(t)];
    // The same person, added by each clinic's admin with the same password (each admin knows only their own).
    const email = newEmail('two-clinics');
    for (const c of [a, b]) {
      await t.http.post('/v1/staff').set(c.admin.auth).send({ email, name: 'Two Clinics', role: 'practitioner', password: 'two-clinics-long-phrase' }).expect(201);
    }
    const page = await open(PHONE);
    await page.goto('/app/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('two-clinics-long-phrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const choice = page.getByRole('region', { name: 'Choose a clinic' });
    await choice.waitFor();
    expect(await choice.getByRole('button').allTextContents()).toEqual([...[a.clinic.name, b.clinic.name].sort(), 'Use another account']);
    expect(await page.getByRole('alert').count()).toBe(0);
    await axe(page);
    await screenshot(page, 'login-choose-clinic-375');
    // The first clinic has the focus; Tab moves to the second, Enter signs in there.
    const [first, second] = [a, b].sort((x, y) => x.clinic.name.localeCompare(y.clinic.name));
    expect(await page.evaluate<string | null>('document.activeElement?.textContent ?? null')).toBe(first.clinic.name);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    const session = await page.evaluate<{ staff: { clinicId: string } }>("fetch('/v1/auth/session').then((r) => r.json())");
    expect(session.staff.clinicId).toBe(second.clinic.id);
  });

  it('sends a signed-out visitor to sign in and back to the page they asked for', async () => {
    const c = await newClinic(t);
    const page = await open();
    await page.goto('/app/on-call');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).search).toBe('?next=%2Fon-call');
    await page.getByLabel('Email').fill(c.admin.email);
    await page.getByLabel('Password').fill(c.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'On call' }).waitFor();
    await axe(page);
    await screenshot(page, 'shell-1280');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'You have signed out' }).waitFor();
    // The session is over on the server too: the console's own check says so.
    expect(await page.evaluate<number>("fetch('/v1/auth/session').then((r) => r.status)")).toBe(401);
  });
});

async function expectVisible(locator: { isVisible(): Promise<boolean> }): Promise<void> {
  expect(await locator.isVisible()).toBe(true);
}
