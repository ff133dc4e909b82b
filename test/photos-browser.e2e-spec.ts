import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './support/app';
import { axe, browserSuite, cspViolations, describeInBrowser, DESKTOP, PHONE, signIn, watchCsp } from './support/browser';
import { emailedCheckIn, newClinic } from './support/factories';

const HEIC = readFileSync(join(__dirname, 'fixtures', 'skin.heic'));

/**
 * Photos in a real browser: the patient's form (no JavaScript of ours) uploads a phone's HEIC
 * photo with the answer under the page's CSP, and the practitioner sees it beside the answer on
 * the flag page (axe clean at 375 and 1280 px).
 */
describeInBrowser('Photos in a browser: form upload and the flag page', () => {
  const suite = browserSuite({ start: '2026-03-02T08:00:00Z' }, { onPage: watchCsp });
  const open = async (viewport = DESKTOP) => {
    const page = await suite.open(viewport);
    return { page, violations: cspViolations(page) };
  };
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
  });

  it('a photo chosen on the form arrives with a warning sign; the flag page shows it beside the answer', async () => {
    const c = await newClinic(t);
    const { patient: p, text } = await emailedCheckIn(t, c);
    const link = new URL(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]+/.exec(text)![0]);

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
