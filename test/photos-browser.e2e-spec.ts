import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from './support/app';
import { BUILD_TIMEOUT_MS } from './support/console-build';
import { axe, describeInBrowser, DESKTOP, launchBrowser, newPage, pageErrors, PHONE, startConsoleApp } from './support/browser';
import { newClinic, newPatient, newTreatment, type StaffLogin } from './support/factories';

const HEIC = readFileSync(join(__dirname, 'fixtures', 'skin.heic'));

/**
 * Photos in a real browser: the patient's form (no JavaScript of ours) uploads a phone's HEIC
 * photo with the answer under the page's CSP, and the practitioner sees it beside the answer on
 * the flag page (axe clean at 375 and 1280 px).
 */
describeInBrowser('Photos in a browser: form upload and the flag page', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  const pages: Page[] = [];
  const open = async (viewport = DESKTOP) => {
    const page = await newPage(browser, origin, viewport);
    pages.push(page);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript('document.addEventListener("securitypolicyviolation", (e) => console.error("Refused to (CSP event) " + e.violatedDirective + " " + e.blockedURI));');
    return { page, violations };
  };

  beforeAll(async () => {
    ({ t, origin } = await startConsoleApp({ start: '2026-03-02T08:00:00Z' }));
    browser = await launchBrowser();
  }, BUILD_TIMEOUT_MS);
  afterEach(async () => {
    for (const page of pages.splice(0)) {
      expect(pageErrors(page)).toEqual([]);
      await page.context().close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, who: StaffLogin, path: string): Promise<void> {
    await page.goto(`/app/login?next=${encodeURIComponent(path.replace(/^\/app/, ''))}`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  it('a photo chosen on the form arrives with a warning sign; the flag page shows it beside the answer', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const treatment = await newTreatment(t, c, p.id);
    t.clock.set(treatment.checkIns[0].dueAt);
    await t.dispatcher.tick();
    const link = new URL(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]+/.exec(t.smtp.to(p.email!)[0].parsed.text!)![0]);

    const { page, violations } = await open(PHONE);
    await page.goto(link.pathname);
    await page.evaluate(`(() => {
      const names = [...new Set([...document.querySelectorAll('input[type=radio]')].map((i) => i.name))];
      for (const n of names) {
        const pick = n === 'ws_spreading_redness' ? 'yes' : 'no';
        (document.querySelector('input[name="' + n + '"][value="' + pick + '"]') ?? document.querySelector('input[name="' + n + '"]')).click();
      }
    })()`);
    await page.setInputFiles('input[name="photos"]', { name: 'IMG_0042.HEIC', mimeType: 'image/heic', buffer: HEIC });
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await page.textContent('h1')).toBe('Thank you');
    expect(violations).toEqual([]);
    const rows = await t.db.query(`SELECT original_type FROM response_photos WHERE patient_id = $1`, [p.id]);
    expect(rows).toEqual([{ original_type: 'image/heic' }]);

    const [flag] = (await t.http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items.filter((f: { patientId: string }) => f.patientId === p.id);
    for (const viewport of [DESKTOP, PHONE]) {
      const staff = await open(viewport);
      await signIn(staff.page, c.practitioner, `/app/flags/${flag.id}`);
      await staff.page.getByRole('heading', { name: 'Photos sent with the answer' }).waitFor();
      const img = staff.page.getByRole('img', { name: /Photo 1 of 1 the patient sent with the form/ });
      await img.waitFor();
      await staff.page.waitForFunction('[...document.querySelectorAll(".flag-photos img")].every((i) => i.complete && i.naturalWidth > 0)');
      await axe(staff.page);
      expect(staff.violations).toEqual([]);
    }
    const views = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1 AND action = 'photo.viewed'`, [c.clinic.id]);
    expect(views[0].n).toBeGreaterThanOrEqual(2);
  });
});
