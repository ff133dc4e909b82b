import type { Page } from 'playwright-core';
import { unsubscribeToken } from '../src/patients/unsubscribe-token';
import type { TestApp } from './support/app';
import { browserSuite, cspViolations, describeInBrowser, pageErrors, PHONE, watchCsp } from './support/browser';
import { emailedCheckIn, newClinic, newPatient } from './support/factories';

/**
 * The patient's own pages (the check-in form at /c/:token, the unsubscribe page at /u/:token)
 * in a real browser under the service's Content-Security-Policy: their inline style applies,
 * their forms submit (form-action), and the browser reports no violation.
 */
describeInBrowser('Patient pages in a browser, under the CSP', () => {
  const suite = browserSuite({ start: '2026-03-02T08:00:00Z' }, { onPage: watchCsp });
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
  });

  /** A phone-sized page that records what the browser says about the CSP. */
  async function open(): Promise<{ page: Page; violations: string[] }> {
    const page = await suite.open(PHONE);
    return { page, violations: cspViolations(page) };
  }

  /** The page's own inline style applied: the body lost the browser's default 8px margin and got its background. */
  const styled = (page: Page) => page.evaluate('(() => { const s = getComputedStyle(document.body); return s.marginTop === "0px" && s.backgroundColor === "rgb(246, 247, 249)"; })()');

  it('the check-in form: styled, answered by clicking, thanked; no CSP violation', async () => {
    const c = await newClinic(t);
    const { treatment, text } = await emailedCheckIn(t, c);
    const link = new URL(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]+/.exec(text)![0]);
    const { page, violations } = await open();
    await page.goto(link.pathname);
    expect(await styled(page)).toBe(true);
    // Every question answered with its first choice, "no" for the warning signs.
    await page.evaluate(`(() => {
      const names = [...new Set([...document.querySelectorAll('input[type=radio]')].map((i) => i.name))];
      for (const n of names) {
        const no = document.querySelector('input[name="' + n + '"][value="no"]');
        (no ?? document.querySelector('input[name="' + n + '"]')).click();
      }
    })()`);
    await page.fill('textarea[name="free_text"]', 'a little bruise');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await page.evaluate('document.location.pathname')).toBe(link.pathname);
    expect(await styled(page)).toBe(true);
    const answered = await t.db.query(`SELECT status FROM check_ins WHERE id = $1`, [treatment.checkIns[0].id]);
    expect(answered[0].status).toBe('answered');
    expect(violations).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
  });

  it('the unsubscribe page: styled, its button works; no CSP violation', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const { page, violations } = await open();
    await page.goto(`/u/${unsubscribeToken(p.id, t.config.jwtSecret)}`);
    expect(await styled(page)).toBe(true);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await styled(page)).toBe(true);
    expect((await t.http.get(`/v1/patients/${p.id}`).set(c.admin.auth).expect(200)).body.emailOptedOutAt).toEqual(expect.any(String));
    // A link that matches no one gets the same styled page.
    await page.goto('/u/nope.nope');
    expect(await styled(page)).toBe(true);
    expect(violations).toEqual([]);
  });
});
