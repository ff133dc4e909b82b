import type { TestApp } from './support/app';
import { axe, browserSuite, describeInBrowser, DESKTOP, PHONE, screenshot, signIn } from './support/browser';
import { newClinic, newPatient, newTreatment, type TestClinic } from './support/factories';

/**
 * The practitioner's pages in a real browser against the real service: an urgent flag raised by
 * a signed SMS reply reaches the open triage queue live, is looked at on its flag page (chart
 * against the expected course), acknowledged and resolved, every step audited; the tenant
 * boundary, the CSRF proof, signing out and deactivation hold in the browser too.
 */
describeInBrowser('Console in a browser: triage queue and flag page', () => {
  const suite = browserSuite({ start: '2026-03-02T08:00:00Z' });
  const open = suite.open;
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
  });

  const reply = (c: TestClinic, from: string, body: string) =>
    t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + Math.random().toString(16).slice(2).padEnd(32, '0'), From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);

  async function dispatchStep(treatment: { checkIns: Array<{ dueAt: string }> }, step: number) {
    const due = new Date(treatment.checkIns[step - 1].dueAt);
    if (t.clock.now() < due) t.clock.set(due);
    await t.dispatcher.tick();
  }

  it('an urgent SMS reaches the open queue live; the flag page shows the course; acknowledge and resolve are audited', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const c = await newClinic(t);
    const patient = await newPatient(t, c, { preferredChannel: 'sms', givenName: 'Lucía', familyName: 'Moreno', birthYear: 1988 });
    const treatment = await newTreatment(t, c, patient.id);
    // Day 1: an ordinary answer, inside the usual course.
    await dispatchStep(treatment, 1);
    await reply(c, patient.phone!, '1 1 0 0 1');
    // Day 3's check-in goes out before signing in (sessions follow the service's clock).
    await dispatchStep(treatment, 2);

    const page = await open();
    await signIn(page, c.practitioner);
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    await page.getByText('No cases need attention').waitFor();

    // Day 3: a warning sign in words, while the queue is open: it appears without a reload.
    await reply(c, patient.phone!, 'my lips are swelling');
    const link = page.getByRole('link', { name: 'Lucía Moreno' });
    await link.waitFor({ timeout: 20_000 });
    await page.getByRole('status').filter({ hasText: 'New urgent case: Lucía Moreno' }).waitFor();
    await page.waitForFunction('document.title.startsWith("(1 urgent")');
    const row = page.locator('li.case', { hasText: 'Lucía Moreno' });
    expect(await row.textContent()).toContain('Warning sign');
    expect(await row.textContent()).toContain('Unassigned');
    await axe(page);
    await screenshot(page, 'triage-queue-1280');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'triage-queue-375');
    await page.setViewportSize(DESKTOP);

    // The flag page: the chart and its table, the answers against the expected course.
    await link.click();
    await page.getByRole('heading', { level: 1, name: 'Urgent flag: Lucía Moreno' }).waitFor();
    const flagId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.locator('[data-testid="symptom-chart-canvas"] canvas').first().waitFor();
    expect(await page.locator('[data-testid="symptom-chart-canvas"] canvas').count()).toBeGreaterThanOrEqual(5);
    const table = page.locator('table.symptom-table').first();
    const day1 = table.locator('tbody tr', { hasText: 'Day 1' });
    expect(await day1.locator('td[data-symptom="bruising"]').textContent()).toMatch(/^1 \(\d\)/);
    expect(await day1.locator('td[data-symptom="pain"]').textContent()).toMatch(/^1 \(\d\)/);
    const day3 = table.locator('tbody tr', { hasText: 'Day 2' }).or(table.locator('tbody tr', { hasText: 'Day 3' }));
    expect(await day3.textContent()).toContain('Swelling of lips, tongue or throat');
    await page.getByText('“my lips are swelling”').waitFor();
    await axe(page);
    await screenshot(page, 'flag-page-1280');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'flag-page-375');
    await page.setViewportSize(DESKTOP);

    // Assign to me, acknowledge, resolve with an outcome.
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByText('You', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const ack = page.getByRole('dialog', { name: 'Acknowledge the case' });
    await ack.getByLabel('Note (optional)').fill('Called her, antihistamine advised');
    await axe(page);
    await ack.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByTestId('flag-status').filter({ hasText: 'Acknowledged' }).waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    const resolve = page.getByRole('dialog', { name: 'Resolve the case' });
    await resolve.getByRole('button', { name: /Outcome/ }).click();
    await page.getByRole('option', { name: 'Seen in clinic' }).click();
    await resolve.getByLabel('What was done and why').fill('Seen the same day; swelling settled');
    await resolve.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('flag-status').filter({ hasText: 'Resolved' }).waitFor();
    await page.getByText('Seen in clinic: Seen the same day; swelling settled').waitFor();

    // A second resolve is refused in the API's words.
    const again = await t.http.post(`/v1/cases/${flagId}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'x' });
    expect(again.status).toBe(409);

    // Back in the queue, it is gone.
    await page.getByRole('link', { name: '← Triage queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    await page.getByText('No cases need attention').waitFor();
    expect(await page.getByRole('link', { name: 'Lucía Moreno' }).count()).toBe(0);

    // Every step in the audit log, the practitioner as actor.
    const audit = (await t.http.get(`/v1/audit-events?entityId=${flagId}&limit=100`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string; actorType: string; actorId: string | null }>;
    const byPractitioner = audit.filter((e) => e.actorType === 'staff' && e.actorId === c.practitioner.id).map((e) => e.action);
    expect(byPractitioner).toEqual(expect.arrayContaining(['flag.assigned', 'flag.acknowledged', 'flag.resolved']));
    expect(audit.map((e) => e.action)).toContain('flag.raised');

    // Another clinic's practitioner: 404 on the page and on the API.
    const other = await newClinic(t);
    const stranger = await open();
    await signIn(stranger, other.practitioner, `/app/flags/${flagId}`);
    await stranger.getByRole('heading', { level: 1, name: 'Flag not found' }).waitFor();
    await axe(stranger);
    await t.http.get(`/v1/flags/${flagId}`).set(other.practitioner.auth).expect(404);
    await t.http.get(`/v1/cases/${flagId}`).set(other.practitioner.auth).expect(404);

    // A forged cross-site request without the CSRF proof is refused, with the session cookie on it.
    const forged = await page.evaluate<number>(
      `fetch('/v1/flags/${flagId}/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'forged' }) }).then((r) => r.status)`,
    );
    expect(forged).toBe(403);

    // Signing out ends the session: the old cookie no longer works.
    const cookies = await page.context().cookies();
    const cookieHeader = cookies.map((k) => `${k.name}=${k.value}`).join('; ');
    await t.http.get('/v1/auth/session').set('Cookie', cookieHeader).expect(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await t.http.get('/v1/auth/session').set('Cookie', cookieHeader).expect(401);
   }, 180_000); // a long walk through the pages: 40 s alone, more on a loaded machine

  it("a deactivated practitioner's open session stops working at their next action", async () => {
    const c = await newClinic(t);
    const page = await open(PHONE);
    await signIn(page, c.practitioner);
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    await t.http.patch(`/v1/staff/${c.practitioner.id}`).set(c.admin.auth).send({ active: false }).expect(200);
    // The next action: ask for the urgent cases only.
    await page.getByRole('button', { name: /Priority/ }).click();
    await page.getByRole('option', { name: 'Urgent' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await axe(page);
  });
});
