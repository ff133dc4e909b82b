import type { Browser, Page } from 'playwright-core';
import type { TestApp } from './support/app';
import { BUILD_TIMEOUT_MS } from './support/console-build';
import { axe, describeInBrowser, DESKTOP, launchBrowser, newPage, pageErrors, PHONE, screenshot, signIn, startConsoleApp } from './support/browser';
import { newClinic, newEmail, newPatient, newPhone, NO_WARNING_SIGNS, TestClinic } from './support/factories';

/**
 * The practitioner's patient pages in a real browser: add a patient with the keyboard, record a
 * treatment and see its planned check-ins, find the patient by phone and by name, the patient
 * page with an answer on its timeline and the chart, cancel a session with a reason, the on-call
 * page; another clinic's patient is not found.
 */
describeInBrowser('Console in a browser: patients, care and on call', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let c: TestClinic;
  let page: Page;
  const phone = newPhone();
  const email = newEmail('ana');
  const family = `Keyboard${Date.now().toString(36)}`;
  let patientPath = '';

  beforeAll(async () => {
    ({ t, origin } = await startConsoleApp());
    browser = await launchBrowser();
    t.clock.set('2026-03-02T10:00:00Z');
    c = await newClinic(t);
    page = await newPage(browser, origin, DESKTOP);
    await signIn(page, c.practitioner);
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    if (page) expect(pageErrors(page)).toEqual([]);
    await browser?.close();
    await t?.close();
  });

  it('adds a patient with the keyboard only, and says at the field what the API refused', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    await axe(page);
    await page.getByRole('link', { name: 'New patient', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'New patient' }).waitFor();
    await axe(page);

    // From the first field on, only keys: type, Tab, Space for the checkboxes, Enter to send.
    await page.getByLabel('Given name').focus();
    const k = page.keyboard;
    await k.type('Ana');
    await k.press('Tab');
    await k.type(family);
    await k.press('Tab');
    await k.type('1988');
    await k.press('Tab');
    await k.type('REF-1');
    await k.press('Tab');
    await k.type('not a phone');
    await k.press('Tab');
    await k.type(email);
    await k.press('Tab'); // preferred channel
    await k.press('ArrowDown');
    await k.press('ArrowDown'); // Email
    await k.press('Tab'); // time zone: the clinic's
    await k.press('Tab'); // language: English
    await k.press('Tab');
    await k.press('Space'); // SMS consent
    await k.press('Tab');
    await k.press('Space'); // email consent
    await k.press('Tab');
    await k.type('intake form v3');
    await k.press('Tab');
    await k.press('Enter');

    // The API's 400 names the phone: the message is at the phone field.
    const phoneField = page.getByLabel('Mobile phone');
    await page.getByText('Check the fields marked below.').waitFor();
    expect(await phoneField.getAttribute('aria-invalid')).toBe('true');
    const described = await phoneField.getAttribute('aria-describedby');
    const errorText = await page.evaluate<string>(
      `${JSON.stringify(described ?? '')}.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ')`,
    );
    expect(errorText.toLowerCase()).toContain('phone');
    await axe(page);

    await phoneField.focus();
    await k.press('ControlOrMeta+a');
    await k.type(phone);
    await k.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Ana ${family}` }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Patient added.' }).waitFor();
    patientPath = new URL(page.url()).pathname;
    const consent = page.getByRole('table').first();
    expect(await consent.getByRole('row', { name: /SMS/ }).textContent()).toContain('intake form v3');
    expect(await consent.getByRole('row', { name: /Email/ }).textContent()).toContain('Yes');
    await axe(page);
  });

  it('records a treatment, the areas chosen from the API\'s list with the keyboard, and shows its planned check-ins right after', async () => {
    await page.getByRole('link', { name: 'Record a treatment' }).click();
    await page.getByRole('heading', { level: 1, name: /Record a treatment/ }).waitFor();
    const group = page.getByRole('group', { name: 'Areas treated' });
    await group.waitFor();
    // The picker offers the API's own list (GET /v1/body-areas), by region.
    const listed = (await t.http.get('/v1/body-areas').set(c.practitioner.auth).expect(200)).body.items as Array<{ label: string }>;
    expect(await group.getByRole('checkbox').count()).toBe(listed.length);
    await group.getByRole('group', { name: 'Face, head and neck' }).getByRole('checkbox', { name: 'Scalp' }).waitFor();
    await axe(page);
    await page.getByLabel('Procedure').fill('mesotherapy');
    await page.getByLabel('Indication').fill('cellulite');
    await page.getByLabel('Product').fill('Aqualyx');
    await page.getByLabel('Lot number').fill('L2309A');
    await page.getByLabel('Technique').selectOption('manual');
    await page.getByLabel('Performed at').fill('2026-03-02T09:00');
    // No area chosen: said at the picker, nothing sent.
    await page.getByRole('button', { name: 'Record treatment' }).click();
    await group.getByText('Choose at least one area treated.').waitFor();
    await axe(page);
    // Keyboard only: Tab to a box, Space ticks it, Shift+Tab to the one before.
    await group.getByRole('checkbox', { name: 'Thighs', exact: true }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    expect(await group.getByRole('checkbox', { name: 'Thighs', exact: true }).isChecked()).toBe(true);
    expect(await group.getByRole('checkbox', { name: 'Buttocks' }).isChecked()).toBe(true);
    await group.getByText('Chosen: Buttocks, Thighs').waitFor();
    expect(await group.getByText('Choose at least one area treated.').count()).toBe(0);
    const sent = page.waitForRequest((r) => r.url().endsWith('/v1/treatments') && r.method() === 'POST');
    await page.getByRole('button', { name: 'Record treatment' }).click();
    expect((await sent).postDataJSON().bodyAreas).toEqual(['buttocks', 'thighs']);
    await page.getByRole('heading', { level: 2, name: 'Planned check-ins' }).waitFor();
    const rows = page.getByRole('table').getByRole('row');
    // A header and days 1, 3, 7, 14, 30, 60, 90.
    expect(await rows.count()).toBe(8);
    expect(await rows.nth(1).textContent()).toContain('Day 1');
    await axe(page);
  });

  it("says at the picker, in words, when the API refuses an area (a console older than the API's list)", async () => {
    // The page is given a list with an area the API does not take.
    await page.route('**/v1/body-areas', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { items: Array<{ id: string; label: string; region: string }> };
      await route.fulfill({ response: res, json: { items: [...body.items, { id: 'kneecap', label: 'Kneecap', region: 'body' }] } });
    });
    await page.goto(`${patientPath}/treatments/new`);
    await page.getByRole('heading', { level: 1, name: /Record a treatment/ }).waitFor();
    await page.getByLabel('Procedure').fill('mesotherapy');
    await page.getByLabel('Indication').fill('cellulite');
    await page.getByLabel('Product').fill('Aqualyx');
    const group = page.getByRole('group', { name: 'Areas treated' });
    await group.getByText('Kneecap').click();
    await page.getByRole('button', { name: 'Record treatment' }).click();
    await page.getByText('Check the fields marked below.').waitFor();
    await group.getByText('Aftercare does not take "kneecap" as a treatment area. Reload the page for the current list, then choose again.').waitFor();
    expect(await group.getAttribute('data-invalid')).not.toBeNull();
    await axe(page);
    await page.unroute('**/v1/body-areas');
  });

  it('finds the patient as you type, by phone and by name, the query kept in the URL, the count announced, and says when nothing matches', async () => {
    await page.goto('/app/patients');
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    const box = page.getByRole('searchbox', { name: 'Find a patient' });
    const announced = page.locator('[role="status"].visually-hidden');
    // Typing is enough: no button to press.
    await box.pressSequentially(phone.replace('+34', '+34 '), { delay: 20 });
    await page.getByRole('heading', { name: /1 patient matches/ }).waitFor();
    expect(new URL(page.url()).searchParams.get('q')).toBe(phone.replace('+34', '+34 '));
    await page.getByRole('link', { name: `Ana ${family}` }).waitFor();
    await announced.filter({ hasText: /1 patient matches/ }).waitFor();

    // One character is not searched (it would match half the clinic): the page says so.
    await box.fill('K');
    await page.getByText('Type at least 2 characters to search.').waitFor();
    await page.waitForTimeout(600);
    expect(new URL(page.url()).searchParams.get('q')).toBe(phone.replace('+34', '+34 '));

    // An answer to an older query that arrives late is never shown as the answer to the newer one.
    const early = family.slice(0, 4);
    let held = 0;
    await page.route(
      (url) => url.pathname === '/v1/patients' && url.searchParams.get('q') === early,
      async (route) => {
        held++;
        await new Promise((r) => setTimeout(r, 2500));
        await route.continue().catch(() => undefined); // the page may have cancelled it
      },
    );
    await box.fill(early);
    for (let i = 0; i < 100 && held === 0; i++) await page.waitForTimeout(100);
    expect(held).toBe(1);
    await box.fill(family);
    await page.getByRole('heading', { name: new RegExp(`1 patient matches “${family}”`) }).waitFor();
    await page.waitForTimeout(3000);
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toMatch(new RegExp(`1 patient matches “${family}”`));
    expect(new URL(page.url()).searchParams.get('q')).toBe(family);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await axe(page);
    await screenshot(page, 'patients-search-1280');

    // Down arrow from the box into the results, up back to the box.
    await box.focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe(`Ana ${family}`);
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate<string>('document.activeElement.getAttribute("type")')).toBe('search');

    // Escape clears the box and lists everyone again.
    await box.focus();
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: /All patients/ }).waitFor();
    expect(new URL(page.url()).searchParams.get('q')).toBeNull();

    // Enter searches at once; a query in the URL fills the box.
    await box.fill('Nobody' + family);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /No patient matches/ }).waitFor();
    await page.goto(`/app/patients?q=${encodeURIComponent('Nobody' + family)}`);
    await page.getByRole('heading', { name: /No patient matches/ }).waitFor();
    expect(await page.getByRole('searchbox', { name: 'Find a patient' }).inputValue()).toBe('Nobody' + family);
    await axe(page);

    await page.goto(`/app/patients?q=${encodeURIComponent(family)}`);
    await page.getByRole('link', { name: `Ana ${family}` }).click();
    await page.getByRole('heading', { level: 1, name: `Ana ${family}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(patientPath);
    // Back returns to the search with its query.
    await page.goBack();
    await page.getByRole('heading', { name: new RegExp(`1 patient matches “${family}”`) }).waitFor();
    expect(await page.getByRole('searchbox', { name: 'Find a patient' }).inputValue()).toBe(family);
  });

  it('shows the timeline with the answer and the chart, and cancels a session with a reason', async () => {
    // The day-1 check-in goes out by email; the patient answers through the form.
    t.clock.set('2026-03-03T09:30:00Z');
    expect((await t.dispatcher.tick()).sent).toBe(1);
    const [mail] = t.smtp.to(email);
    t.clock.advance(30 * 60_000);
    const link = /\/c\/[A-Za-z0-9_-]+/.exec(mail.parsed.text!)![0];
    await t.http
      .post(link)
      .type('form')
      .send({ bruising: '2', redness: '1', itching: '0', burning: '0', pain: '3', ...NO_WARNING_SIGNS, free_text: 'Sore today' })
      .expect(200);
    // A day has passed on the service's clock: the browser session has gone idle, sign in again.
    await signIn(page, c.practitioner);

    for (const [viewport, name] of [
      [PHONE, 'patient-375'],
      [DESKTOP, 'patient-1280'],
    ] as const) {
      const p = await newPage(browser, origin, viewport);
      await p.context().addCookies(await page.context().cookies());
      await p.goto(patientPath);
      await p.getByRole('heading', { level: 1, name: `Ana ${family}` }).waitFor();
      const timeline = p.getByRole('region', { name: 'Timeline' });
      await timeline.getByText(/Answer on day 1 by form: bruising 2/).waitFor();
      await timeline.getByText(/Treatment: mesotherapy with Aqualyx/).waitFor();
      await p.getByRole('region', { name: 'Symptoms across the course' }).getByRole('figure').first().waitFor();
      expect(await p.getByRole('region', { name: 'Sessions' }).textContent()).toContain('L2309A');
      const wide = await p.evaluate<string[]>(
        `[...document.querySelectorAll('body *')].filter((e) => (e.matches('.table-scroll, .table-wrap') || !e.closest('.table-scroll, .table-wrap')) && e.getBoundingClientRect().right > ${viewport.width} + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`,
      );
      expect(wide).toEqual([]);
      expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
      await axe(p);
      await screenshot(p, name);
      expect(pageErrors(p)).toEqual([]);
      await p.context().close();
    }

    await page.goto(patientPath);
    await page.getByRole('button', { name: 'Cancel this session…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await axe(page);
    await dialog.getByLabel('Reason').fill('Entered for the wrong patient');
    await dialog.getByRole('button', { name: 'Cancel session' }).click();
    await page.getByRole('status').filter({ hasText: /Session cancelled; \d+ planned check-ins? will not go out/ }).waitFor();
    const sessions = page.getByRole('region', { name: 'Sessions' });
    await sessions.getByText('Entered for the wrong patient').waitFor();
    await sessions.getByRole('heading', { name: /Cancelled/ }).waitFor();
    await axe(page);
  });

  it('shows who is on call now and the rota, read-only', async () => {
    await t.http
      .put('/v1/clinic/on-call')
      .set(c.admin.auth)
      .send({ shifts: [{ staffUserId: c.practitioner.id, weekday: 2, start: '08:00', end: '20:00' }] })
      .expect(200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'On call' }).click();
    await page.getByRole('heading', { level: 1, name: 'On call' }).waitFor();
    const rota = page.getByRole('region', { name: 'This week’s rota' });
    await rota.getByRole('cell', { name: 'Tuesday' }).waitFor();
    expect(await rota.getByRole('row').nth(1).textContent()).toContain('08:00');
    expect(await page.getByRole('button', { name: /save|edit/i }).count()).toBe(0);
    await axe(page);
  });

  it("says another clinic's patient is not found", async () => {
    const other = await newClinic(t);
    const theirs = await newPatient(t, other);
    await page.goto(`/app/patients/${theirs.id}`);
    await page.getByRole('heading', { level: 1, name: 'Patient not found' }).waitFor();
    expect(await page.evaluate<number, string>((id) => fetch(`/v1/patients/${id}`).then((r) => r.status), theirs.id)).toBe(404);
    await axe(page);
  });
});
