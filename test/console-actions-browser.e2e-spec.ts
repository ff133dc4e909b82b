import type { Server } from 'node:http';
import type { Page } from 'playwright-core';
import type { TestApp } from './support/app';
import { axe, browserSuite, describeInBrowser, PHONE, screenshot, signIn } from './support/browser';
import { newClinic, newPatient, newTreatment, type StaffLogin, type TestClinic } from './support/factories';

/**
 * The flag page's actions in a real browser, each with what it shows: assign to a colleague from
 * the staff directory and unassign, add a note, plan an extra check-in in N days, the assessment
 * (and the adverse-event log then has it), a resolve that a colleague got to first (the 409 in
 * words, not "Conflict"), reopen with a reason; and the live stream lost and recovering by itself,
 * the queue catching up with what happened meanwhile. axe on every new state.
 */
describeInBrowser('Console in a browser: flag actions, conflicts and a lost live stream', () => {
  const suite = browserSuite({ start: '2026-03-02T08:00:00Z' });
  const open = suite.open;
  let t: TestApp;
  let c: TestClinic;
  let colleague: StaffLogin;

  beforeAll(async () => {
    t = suite.t;
    c = await newClinic(t);
    const password = 'correct-horse-battery-staple';
    const email = `ana.ruiz.${Date.now()}@example.com`;
    const created = await t.http.post('/v1/staff').set(c.admin.auth).send({ email, name: 'Dr Ana Ruiz', role: 'practitioner', password }).expect(201);
    const login = await t.http.post('/v1/auth/login').send({ email, password }).expect(200);
    colleague = { id: created.body.id, email, password, token: login.body.accessToken, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
  });

  /**
   * A patient with a treatment whose first check-in went out by SMS; `reply()` answers it naming a
   * warning sign: an urgent warning-sign flag (an adverse event). The clock moves to the check-in
   * here, so call this before signing in (sessions follow the service's clock).
   */
  async function checkInSent(givenName: string): Promise<{ patientId: string; reply: () => Promise<string> }> {
    const patient = await newPatient(t, c, { preferredChannel: 'sms', givenName, familyName: 'Test' });
    const treatment = await newTreatment(t, c, patient.id);
    const due = new Date(treatment.checkIns[0].dueAt);
    if (t.clock.now() < due) t.clock.set(due);
    await t.dispatcher.tick();
    const reply = async () => {
      await t
        .twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + Math.random().toString(16).slice(2).padEnd(32, '0'), From: patient.phone!, To: c.smsNumber, Body: 'my lips are swelling', AccountSid: 'AC' + '0'.repeat(32) })
        .expect(200);
      const flags = (await t.http.get('/v1/flags?limit=50').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patientId: string; ruleId: string }>;
      const flag = flags.find((f) => f.patientId === patient.id && f.ruleId === 'warning-sign');
      if (!flag) throw new Error(`no warning-sign flag for ${givenName}: ${JSON.stringify(flags)}`);
      return flag.id;
    };
    return { patientId: patient.id, reply };
  }
  const urgentFlag = async (givenName: string) => {
    const sent = await checkInSent(givenName);
    return { flagId: await sent.reply(), patientId: sent.patientId };
  };

  const dialogNamed = (page: Page, name: string) => page.getByRole('dialog', { name });
  const done = (page: Page, text: string | RegExp) => page.locator('.alert-success').filter({ hasText: text }).waitFor();

  it('assigns to a colleague and back, adds a note, plans an extra check-in, records the assessment the adverse-event log then shows', async () => {
    const { flagId } = await urgentFlag('Inés');
    const page = await open();
    await signIn(page, c.practitioner, `/app/flags/${flagId}`);
    await page.getByRole('heading', { level: 1, name: 'Urgent flag: Inés Test' }).waitFor();

    // Assign to a colleague: the directory's assignable staff, "me" first; compliance is not offered.
    await page.getByRole('button', { name: 'Assign to a colleague' }).click();
    const assign = dialogNamed(page, 'Assign the case');
    await assign.getByRole('button', { name: /Assign to/ }).click();
    const options = (await page.getByRole('option').allTextContents()).map((o) => o.trim());
    expect(options[0]).toBe('Me (A practitioner)');
    expect(options).toEqual(expect.arrayContaining(['Dr Ana Ruiz, practitioner', 'Administrator, admin']));
    expect(options.some((o) => o.includes('compliance'))).toBe(false);
    await axe(page);
    await page.getByRole('option', { name: 'Dr Ana Ruiz, practitioner' }).click();
    await assign.getByRole('button', { name: 'Assign', exact: true }).click();
    await done(page, 'The case is assigned to Dr Ana Ruiz.');
    await page.locator('dd', { hasText: 'Dr Ana Ruiz' }).waitFor();
    const kase = (await t.http.get(`/v1/flags/${flagId}`).set(c.practitioner.auth).expect(200)).body as { caseId: string };
    expect((await t.http.get(`/v1/cases/${kase.caseId}`).set(c.practitioner.auth).expect(200)).body.assignee).toEqual({ id: colleague.id, name: 'Dr Ana Ruiz' });
    await axe(page);
    // The history names the colleague the case went to.
    await page.locator('section[aria-labelledby="history"]').getByText(/Assigned/).first().waitFor();

    await page.getByRole('button', { name: 'Unassign' }).click();
    await done(page, 'The case is no longer assigned to anyone.');
    await page.locator('dd', { hasText: 'No one' }).waitFor();

    // Add a note: it is in the history.
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = dialogNamed(page, 'Add a note to the flag');
    await note.getByLabel('Note').fill('Left a voicemail, will call again at noon');
    await axe(page);
    await note.getByRole('button', { name: 'Add note' }).click();
    await done(page, 'Note added to the history.');
    const history = page.locator('section[aria-labelledby="history"]');
    await history.getByText('Left a voicemail, will call again at noon').waitFor();

    // An extra check-in in 4 days (day 5: no protocol step that day): planned, and the page says when.
    await page.getByRole('button', { name: 'Extra check-in' }).click();
    const extra = dialogNamed(page, 'Ask the patient to check in again');
    await extra.getByLabel('In how many days').fill('4');
    await extra.getByLabel('Why (optional)').fill('Check the swelling has gone down');
    await axe(page);
    const planned = page.waitForResponse((r) => r.url().endsWith('/extra-check-in'));
    await extra.getByRole('button', { name: 'Schedule check-in' }).click();
    const answer = await planned;
    expect(answer.status()).toBe(201);
    const { checkIn, reused } = (await answer.json()) as { reused: boolean; checkIn: { dueAt: string; status: string } };
    expect(reused).toBe(false);
    expect(checkIn.status).toBe('scheduled');
    const days = (Date.parse(checkIn.dueAt) - t.clock.now().getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(3);
    expect(days).toBeLessThan(5);
    await done(page, /^Extra check-in planned for .+\.$/);
    await history.getByText(/Extra check-in asked for/).waitFor();

    // The assessment: causality and seriousness; the adverse-event log then has it.
    await page.getByRole('button', { name: 'Assessment' }).click();
    const assess = dialogNamed(page, 'Assess the reaction');
    await assess.getByRole('button', { name: /Causality/ }).click();
    await page.getByRole('option', { name: 'Possibly related' }).click();
    await assess.getByRole('button', { name: /Seriousness/ }).click();
    await page.getByRole('option', { name: 'Not serious' }).click();
    await assess.getByLabel('Reasoning (optional)').fill('Angioedema-like swelling, settled with antihistamine');
    await axe(page);
    await assess.getByRole('button', { name: 'Save assessment' }).click();
    await done(page, 'Assessment saved; the adverse-event log shows it.');
    await page.getByText('Assessed: Possibly related, Not serious — Angioedema-like swelling, settled with antihistamine').waitFor();
    const log = (await t.http.get('/v1/adverse-events?limit=50').set(c.compliance.auth).expect(200)).body.items as Array<{ id: string; assessment: Record<string, unknown> | null }>;
    expect(log.find((e) => e.id === flagId)?.assessment).toEqual(
      expect.objectContaining({ causality: 'possibly_related', seriousness: 'non_serious', seriousnessCriteria: [], assessedBy: c.practitioner.id }),
    );
    await axe(page);

    // At a phone's width the page and a dialog fit.
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.getByRole('button', { name: 'Assign to a colleague' }).click();
    await dialogNamed(page, 'Assign the case').waitFor();
    await axe(page);
    await screenshot(page, 'flag-assign-dialog-375');
    await page.keyboard.press('Escape');
    await dialogNamed(page, 'Assign the case').waitFor({ state: 'detached' });
  }, 180_000);

  it("shows who resolved it first when a colleague's resolve wins, and reopens with a reason", async () => {
    const { flagId } = await urgentFlag('Marta');
    const caseId = ((await t.http.get(`/v1/flags/${flagId}`).set(c.practitioner.auth).expect(200)).body as { caseId: string }).caseId;
    const page = await open();
    await signIn(page, c.practitioner, `/app/flags/${flagId}`);
    await page.getByRole('heading', { level: 1, name: 'Urgent flag: Marta Test' }).waitFor();

    // Both look at it; this practitioner starts resolving it...
    await page.getByRole('button', { name: 'Resolve' }).click();
    const resolve = dialogNamed(page, 'Resolve the case');
    await resolve.getByRole('button', { name: /Outcome/ }).click();
    await page.getByRole('option', { name: 'Advice given' }).click();
    await resolve.getByLabel('What was done and why').fill('Advised antihistamine and a photo tomorrow');
    // ...while Dr Ana Ruiz resolves it first.
    await t.http.post(`/v1/cases/${caseId}/resolve`).set(colleague.auth).send({ outcome: 'seen_in_clinic', note: 'Came in, seen at once' }).expect(200);
    // The page behind follows the change live, and the open dialog keeps what was typed.
    await page.getByTestId('flag-status').filter({ hasText: 'Resolved' }).waitFor({ timeout: 20_000 });
    expect(await resolve.getByLabel('What was done and why').inputValue()).toBe('Advised antihistamine and a photo tomorrow');
    await resolve.getByRole('button', { name: 'Resolve' }).click();
    const refused = resolve.getByRole('alert');
    await refused.waitFor();
    const words = (await refused.textContent())!;
    expect(words).toMatch(/^This case was already resolved by Dr Ana Ruiz at \d{2}:\d{2}; reopen a flag to act on it again\.$/);
    expect(words).not.toMatch(/conflict|409/i);
    const madrid = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Madrid', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t.clock.now());
    expect(words).toContain(`at ${madrid}`);
    await axe(page);
    await screenshot(page, 'flag-conflict-1280');
    await resolve.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Seen in clinic: Came in, seen at once').waitFor();
    await page.locator('section[aria-labelledby="history"]').getByText(/Resolved .* · Dr Ana Ruiz/).first().waitFor();

    // Reopen with a reason: open again, the reason in the history, the case back in the queue.
    await page.getByRole('button', { name: 'Reopen' }).click();
    const reopen = dialogNamed(page, 'Reopen the flag');
    await reopen.getByRole('button', { name: 'Reopen' }).click();
    // The reason is required: the dialog stays, nothing is sent.
    await reopen.waitFor();
    await reopen.getByLabel('Why it needs another look').fill('She called back: the swelling returned');
    await axe(page);
    await reopen.getByRole('button', { name: 'Reopen' }).click();
    await done(page, 'The flag is open again and back in the triage queue.');
    await page.getByTestId('flag-status').filter({ hasText: 'Open' }).waitFor();
    await page.locator('section[aria-labelledby="history"]').getByText(/Reopened .*: She called back: the swelling returned/).waitFor();
    await axe(page);
    const queue = (await t.http.get('/v1/cases').set(c.practitioner.auth).expect(200)).body.items as Array<{ flags: Array<{ flagId: string }> }>;
    expect(queue.some((k) => k.flags.some((f) => f.flagId === flagId))).toBe(true);

    // Compliance staff read the flag without actions the API would refuse them.
    const auditor = await open(PHONE);
    await signIn(auditor, c.compliance, `/app/flags/${flagId}`);
    await auditor.getByRole('heading', { level: 1, name: 'Urgent flag: Marta Test' }).waitFor();
    await auditor.getByText('Compliance staff see flags read-only; practitioners and admins act on them.').waitFor();
    expect(await auditor.getByRole('button', { name: /Resolve|Acknowledge|Assign|Add note|Assessment/ }).count()).toBe(0);
    await axe(auditor);
  }, 180_000);

  it('says when the live stream is lost, recovers by itself and catches up with what happened meanwhile', async () => {
    const rocio = await checkInSent('Rocío');
    const page = await open(PHONE);
    const streams: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/v1/events')) streams.push(r.status());
    });
    await signIn(page, c.practitioner);
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    for (let i = 0; i < 300 && !streams.includes(200); i++) await page.waitForTimeout(100);
    expect(streams).toContain(200);

    // The service refuses the stream from now on (as while its database is away), and the open one drops.
    let refusals = 0;
    await page.route('**/v1/events', (route) => {
      refusals++;
      return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'The database is unavailable' }) });
    });
    (t.app.getHttpServer() as Server).closeAllConnections();
    const banner = page.getByRole('status').filter({ hasText: 'Live updates interrupted.' });
    await banner.waitFor({ timeout: 20_000 });
    await axe(page);
    await screenshot(page, 'connection-lost-375');

    // Meanwhile a flag is raised: the stream is down, the queue cannot hear of it.
    await rocio.reply();
    const patientId = rocio.patientId;
    // The page keeps trying (not just the browser's one retry).
    for (let i = 0; i < 300 && refusals < 2; i++) await page.waitForTimeout(100);
    expect(refusals).toBeGreaterThanOrEqual(2);
    expect(await page.getByRole('link', { name: 'Rocío Test' }).count()).toBe(0);

    // The service takes streams again: the page reconnects by itself, says so, and the queue catches up.
    await page.unroute('**/v1/events');
    await page.getByRole('status').filter({ hasText: 'Connection restored.' }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Rocío Test' }).waitFor({ timeout: 20_000 });
    expect(await banner.count()).toBe(0);
    await axe(page);
    expect(patientId).toBeTruthy();
    // Live again: a change now arrives without a reload.
    const caseId = ((await t.http.get('/v1/cases').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patient: { id: string } }>).find((k) => k.patient.id === patientId)!.id;
    await t.http.post(`/v1/cases/${caseId}/assign`).set(colleague.auth).send({ staffId: colleague.id }).expect(200);
    await page.locator('li.case', { hasText: 'Rocío Test' }).filter({ hasText: 'Assigned to Dr Ana Ruiz' }).waitFor({ timeout: 20_000 });
  }, 180_000);
});
