import { readFileSync } from 'node:fs';
import { SignalsService } from '../src/signals/signals.service';
import type { TestApp } from './support/app';
import { BUILD_TIMEOUT_MS } from './support/console-build';
import { axe, browserSuite, describeInBrowser, DESKTOP, PHONE, screenshot, signIn } from './support/browser';
import { newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, type TestClinic } from './support/factories';

const CLEAN = { bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', free_text: '' };
type Step = { dayOffset: number; dueAt: string };

/**
 * The compliance pages of issue 12 (second half) in a real browser against the real service:
 * the signals page with a lot signal seeded through check-ins and answers (PRR, interval, the
 * forest plot, the lot-cluster alert), a row opening its cases; the course report's charts and
 * numbers; patients' rights: an admin erases through the confirmation and the page shows the
 * erased state, compliance downloads the export and sees no erase button, a practitioner sees
 * nothing of it. axe on every page; screenshots at 375 and 1280 px.
 */
describeInBrowser('Console in a browser: signals, course report, patients\' rights', () => {
  const suite = browserSuite({ start: '2026-03-02T08:00:00Z' });
  const open = suite.open;
  let t: TestApp;
  let c: TestClinic;
  const lotA: Array<{ id: string; email: string; familyName: string }> = [];
  const lotB: Array<{ id: string; email: string; familyName: string }> = [];

  async function answer(email: string, form: Record<string, string>) {
    const mails = t.smtp.to(email);
    expect(mails.length).toBeGreaterThan(0);
    // The console's app has its own PUBLIC_BASE_URL (its listening address), so not linkIn's aftercare.test.
    const link = /https?:\/\/[^/\s]+(\/c\/[A-Za-z0-9_-]+)/.exec(mails[mails.length - 1].parsed.text!)![1];
    await t.http.post(link).type('form').send({ ...NO_WARNING_SIGNS, ...CLEAN, ...form }).expect(200);
  }

  beforeAll(async () => {
    t = suite.t;
    c = await newClinic(t);
    // Lot A: 4 sessions, 3 of them well at days 7 and 14 and with a new hard lump at day 30 (late onset).
    // Lot B: 16 sessions, one with a fever on day 1. PRR of lot A = (3/4)/(1/16) = 12.
    let steps: Step[] = [];
    for (let i = 0; i < 20; i++) {
      const familyName = `${i < 4 ? 'Lota' : 'Lotb'}${String.fromCharCode(97 + i)}`;
      const p = await newPatient(t, c, { preferredChannel: 'email', familyName });
      steps = (await newTreatment(t, c, p.id, { lotNumber: i < 4 ? 'LOT-A' : 'LOT-B' })).checkIns as unknown as Step[];
      (i < 4 ? lotA : lotB).push({ id: p.id, email: p.email!, familyName });
    }
    const at = (day: number) => steps.find((s) => s.dayOffset === day)!.dueAt;
    t.clock.set(at(1));
    await t.dispatcher.tick();
    await answer(lotB[0].email, { bruising: '1', ws_fever: 'yes' });
    for (const [i, p] of [...lotA, ...lotB.slice(1, 8)].entries()) await answer(p.email, { bruising: String(i % 3), redness: String(i % 2), pain: i % 4 === 0 ? '1' : '0' });
    t.clock.set(at(3));
    await t.dispatcher.tick();
    for (const [i, p] of [...lotA, ...lotB.slice(1, 7)].entries()) await answer(p.email, { bruising: i % 2 ? '1' : '0' });
    for (const day of [7, 14]) {
      t.clock.set(at(day));
      await t.dispatcher.tick();
      for (const p of lotA) await answer(p.email, CLEAN);
    }
    t.clock.set(at(30));
    await t.dispatcher.tick();
    for (const p of lotA.slice(0, 3)) await answer(p.email, { ws_new_lump: 'yes' });
    // The scheduled detection records and alerts them (the page's "Recorded and alerted").
    await t.get(SignalsService).tick();
  }, BUILD_TIMEOUT_MS);


  it('shows lot A as a signal with its PRR, interval and chart, the lot-cluster alert, and opens its cases', async () => {
    const api = (await t.http.get('/v1/signals').set(c.compliance.auth).expect(200)).body;
    const row = api.values.find((v: { dimension: string; value: string }) => v.dimension === 'lot' && v.value === 'LOT-A');
    expect(row).toMatchObject({ signal: true, stats: { a: 3, b: 1, c: 1, d: 15 } });
    expect(row.stats.prr).toBeCloseTo(12, 10);

    const page = await open(DESKTOP);
    await signIn(page, c.compliance, '/queue');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signals' }).click();
    await page.getByRole('heading', { level: 1, name: 'Safety signals' }).waitFor();
    const lotRow = page.getByRole('region', { name: 'Every value' }).first().getByRole('row', { name: /Lot LOT-A/ });
    await lotRow.waitFor();
    const text = (await lotRow.textContent()) ?? '';
    // PRR 12 with its 95% interval 1.66–86.94 (exp(ln 12 ± 1.96·√(1/3 − 1/4 + 1 − 1/16))), χ² 5.64.
    expect(text).toContain('12 (1.66–86.94)');
    expect(text).toContain('5.64');
    expect(text).toContain('Signal');
    expect(text).toContain('75%');
    // The forest plot is a uPlot canvas; the lot-cluster alert names the lot.
    await page.getByTestId('forest-plot-canvas').locator('canvas').first().waitFor();
    expect(await page.locator('.forest-plot .uplot').count()).toBe(1);
    const alerts = page.getByRole('region', { name: 'Lot-cluster alerts' }).or(page.locator('.cluster-list'));
    expect(await alerts.first().textContent()).toContain('Lot LOT-A: 3 patients with late-onset flags');
    const recorded = (await page.getByRole('region', { name: 'Recorded and alerted' }).first().textContent()) ?? '';
    expect(recorded).toContain('Lot LOT-A');
    expect(recorded).toContain('Cluster of late-onset flags');
    expect(recorded).toContain('Disproportionality');
    await axe(page);
    await screenshot(page, 'signals-1280');

    // The row's cases: the three patients of lot A, each with its flags.
    await lotRow.getByRole('link', { name: /3 cases of Lot LOT-A/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Cases: Lot LOT-A' }).waitFor();
    const cases = page.getByRole('region', { name: 'Cases' }).getByRole('row');
    await cases.nth(3).waitFor();
    expect(await cases.count()).toBe(4); // a header and three cases
    const body = (await page.getByRole('region', { name: 'Cases' }).textContent()) ?? '';
    for (const p of lotA.slice(0, 3)) expect(body).toContain(p.familyName);
    expect(body).not.toContain(lotA[3].familyName);
    expect(await page.getByText(/3 of 4 treatments/).count()).toBe(1);
    await axe(page);
    // A case opens its flag.
    await page.getByRole('region', { name: 'Cases' }).getByRole('link', { name: /Late|lump|Urgent|High/i }).first().click();
    await page.waitForURL(/\/app\/flags\//);
    await page.getByRole('heading', { level: 1 }).waitFor();

    const phone = await open(PHONE);
    await signIn(phone, c.compliance, '/signals');
    await phone.getByRole('heading', { level: 1, name: 'Safety signals' }).waitFor();
    await phone.getByTestId('forest-plot-canvas').locator('canvas').first().waitFor();
    await axe(phone);
    await screenshot(phone, 'signals-375');
  });

  it('course report: charts of each symptom beside the expected course, with the numbers of patients and sessions behind them', async () => {
    const api = (await t.http.get('/v1/reports/course').set(c.compliance.auth).expect(200)).body;
    expect(api.groups).toHaveLength(1);
    const g = api.groups[0];
    // The sessions that answered: lot A's four and eight of lot B's.
    expect(g).toMatchObject({ treatments: 12, patients: 12 });
    expect(g.warningSigns).toMatchObject({ courses: 12, withInfectionSign: 4 });

    const page = await open(DESKTOP);
    await signIn(page, c.admin, '/queue');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Course report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Course report' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'mesotherapy with Lipolytic cocktail A' }).waitFor();
    // Five uPlot charts, one per symptom.
    await page.getByTestId('course-chart-canvas').locator('canvas').nth(4).waitFor();
    expect(await page.getByTestId('course-chart-canvas').locator('.uplot').count()).toBe(5);
    const answered = g.steps.reduce((n: number, s: { answering: number }) => n + s.answering, 0);
    expect(await page.getByTestId('course-numbers').textContent()).toBe(
      `Answers from 12 sessions of 12 patients: ${answered} answered check-ins on ${g.steps.length} days after treatment.`,
    );
    const infection = (await page.getByTestId('answer-infection').textContent()) ?? '';
    expect(infection).toContain(`4 of ${g.warningSigns.courses} courses`);
    expect(await page.getByTestId('answer-temporary').textContent()).toContain('Are the side effects temporary?');
    // The day table holds the API's numbers: day 1's bruising.
    const day1 = g.steps.find((s: { day: number }) => s.day === 1);
    const cell = page.getByRole('region', { name: 'By day since treatment' }).getByRole('row', { name: /Day 1\b/ }).locator('td[data-symptom="bruising"]');
    expect(await cell.textContent()).toContain(`${day1.symptoms.bruising.withSymptom} of ${day1.symptoms.bruising.answered}`);
    await axe(page);
    await screenshot(page, 'course-report-1280');

    const phone = await open(PHONE);
    await signIn(phone, c.compliance, '/reports/course');
    await phone.getByTestId('course-chart-canvas').locator('canvas').nth(4).waitFor();
    await axe(phone);
    await screenshot(phone, 'course-report-375');
  });

  it('an admin places and lifts a legal hold, then erases a patient through the confirmation; the page shows the erased state', async () => {
    const target = lotB[15];
    const page = await open(DESKTOP);
    await signIn(page, c.admin, `/patients/${target.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(target.familyName) }).waitFor();
    await page.getByRole('heading', { level: 2, name: "Patient's rights" }).waitFor();
    await axe(page);

    // A legal hold: erasure is not offered while it holds.
    await page.getByRole('button', { name: 'Place a legal hold…' }).click();
    const holdDialog = page.getByRole('dialog');
    expect(await holdDialog.getByRole('heading').textContent()).toContain(target.familyName);
    await holdDialog.getByLabel('Reason').fill('inspection 2026-14');
    await holdDialog.getByRole('button', { name: 'Place the hold' }).click();
    await page.getByRole('status').filter({ hasText: 'is under a legal hold' }).waitFor();
    await page.getByText('Erasure is refused while the legal hold is in place').waitFor();
    expect(await page.getByRole('button', { name: 'Erase this patient…' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Lift the legal hold…' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('inspection closed');
    await page.getByRole('dialog').getByRole('button', { name: 'Lift the hold' }).click();
    await page.getByRole('button', { name: 'Erase this patient…' }).waitFor();

    await page.getByRole('button', { name: 'Erase this patient…' }).click();
    const dialog = page.getByRole('dialog');
    const heading = (await dialog.getByRole('heading').textContent()) ?? '';
    expect(heading).toMatch(new RegExp(`^Erase .*${target.familyName}\\?$`));
    const words = (await dialog.textContent()) ?? '';
    expect(words).toContain('Kept, as the safety record');
    expect(words).toContain('the flags with their assessment');
    expect(words).toContain('cannot be undone');
    await axe(page);
    // Without a reason nothing happens: the field says why, the patient is not erased.
    await dialog.getByRole('button', { name: /^Erase / }).click();
    await dialog.getByText('Say why, in at least 3 characters.').waitFor();
    expect(await dialog.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    expect((await t.db.query(`SELECT erased_at FROM patients WHERE id = $1`, [target.id]))[0].erased_at).toBeNull();
    await dialog.getByLabel('Reason').fill('GDPR art. 17 request, ticket 4711');
    await dialog.getByRole('button', { name: /^Erase / }).click();
    await page.getByRole('status').filter({ hasText: 'was erased' }).waitFor();
    await page.getByText('Erased on request on').waitFor();
    await page.getByRole('heading', { level: 1, name: /^Erased P-/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Erase this patient…' }).count()).toBe(0);
    await axe(page);

    const stored = await t.db.query(`SELECT erased_at, email, family_name FROM patients WHERE id = $1`, [target.id]);
    expect(stored[0].erased_at).not.toBeNull();
    expect(stored[0].email).toBeNull();
    // The safety record stays: the session and its answers are still there.
    expect((await t.db.query(`SELECT count(*)::int AS n FROM treatments WHERE patient_id = $1`, [target.id]))[0].n).toBe(1);
    const audit = (await t.http.get(`/v1/audit-events?action=patient.erased&limit=10`).set(c.compliance.auth).expect(200)).body.items;
    expect(audit.some((e: { entityId: string }) => e.entityId === target.id)).toBe(true);
  });

  it('compliance downloads the export and sees no erase or hold button; a practitioner sees no patients\' rights at all', async () => {
    const target = lotB[14];
    const page = await open(DESKTOP);
    await signIn(page, c.compliance, `/patients/${target.id}`);
    await page.getByRole('heading', { level: 2, name: "Patient's rights" }).waitFor();
    expect(await page.getByRole('button', { name: /Erase|legal hold/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Record a treatment' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Cancel this session/ }).count()).toBe(0);
    await page.getByText('Erasure and legal holds are made by an administrator.').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download everything held (JSON)' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^patient-${target.id}-export-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(file.patient.id).toBe(target.id);
    expect(file.patient.familyName).toBe(target.familyName);
    expect(file.treatments).toHaveLength(1);
    await axe(page);

    const practitioner = await open(DESKTOP);
    await signIn(practitioner, c.practitioner, `/patients/${target.id}`);
    await practitioner.getByRole('heading', { level: 1, name: new RegExp(target.familyName) }).waitFor();
    await practitioner.getByRole('link', { name: 'Record a treatment' }).waitFor();
    expect(await practitioner.getByRole('heading', { name: "Patient's rights" }).count()).toBe(0);
    expect(await practitioner.getByRole('button', { name: /Erase|legal hold|Download everything/ }).count()).toBe(0);
    expect(await practitioner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signals' }).count()).toBe(0);
    await axe(practitioner);
  });
});
