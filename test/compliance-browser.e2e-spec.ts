import { readFileSync } from 'node:fs';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import type { Page } from 'playwright-core';
import { canonicalJson } from '../src/audit/canonical-json';
import { TEST_AUDIT_PUBLIC_KEY, type TestApp } from './support/app';
import { BUILD_TIMEOUT_MS } from './support/console-build';
import { axe, browserSuite, describeInBrowser, DESKTOP, PHONE, screenshot, signIn } from './support/browser';
import { parseCsv, streamedText } from './support/downloads';
import { appendFillerEvents, seedAdverseEvents, type SeededAdverseEvents } from './support/compliance-seed';
import { newClinic, newPatient, type TestClinic } from './support/factories';
import { asOwner } from './support/owner';

type Json = Record<string, any>;

/** What the console must never offer compliance: every change a button or link could start. */
const ACTIONS = [
  'Assign to me', 'Assign to a colleague', 'Unassign', 'Acknowledge', 'Resolve', 'Add note', 'Reopen', 'Extra check-in', 'Assessment',
  'Sign a checkpoint now', 'New patient', 'Record a treatment', 'Cancel this session…',
];
async function offeredActions(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const name of ACTIONS) {
    const n = (await page.getByRole('button', { name, exact: true }).count()) + (await page.getByRole('link', { name, exact: true }).count());
    if (n) found.push(name);
  }
  return found;
}

/**
 * The compliance pages in a real browser against the real service: the adverse-event log
 * filtered and downloaded (files parsed back and matched with the API), the flag it opens
 * read-only, the audit log with its diffs, redactions and entity trails, and the integrity
 * page verifying the chain before and after a superuser tampers with one event.
 */
describeInBrowser('Console in a browser: compliance pages', () => {
  const suite = browserSuite({ start: '2026-02-02T08:00:00Z' });
  const open = suite.open;
  let t: TestApp;
  let c: TestClinic;
  let seeded: SeededAdverseEvents;

  beforeAll(async () => {
    t = suite.t;
    c = await newClinic(t);
    await asOwner((o) => o.query(`UPDATE clinics SET name = 'Clínica Norte' WHERE id = $1`, [c.clinic.id]));
    seeded = await seedAdverseEvents(t, c);
  }, BUILD_TIMEOUT_MS);

  async function choose(page: Page, label: string, option: string): Promise<void> {
    await page.getByRole('button', { name: new RegExp(label) }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }

  async function download(page: Page, link: string): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link, exact: true }).click()]);
    const path = await file.path();
    return { name: file.suggestedFilename(), text: readFileSync(path!, 'utf8') };
  }

  it('a compliance user filters the adverse-event log, downloads the CSV and the FHIR Bundle (matching the API) and opens a flag read-only', async () => {
    const page = await open();
    await signIn(page, c.compliance, '/app/adverse-events');
    await page.getByRole('heading', { level: 1, name: 'Adverse-event log' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Adverse events', 'Audit log', 'Integrity']) await nav.getByRole('link', { name }).waitFor();
    await page.getByRole('heading', { name: '3 adverse events' }).waitFor();
    // Newest first by default; the header sorts the other way.
    const ids = () => page.locator('[data-testid="adverse-events"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-flag-id')));
    expect(await ids()).toEqual([seeded.flags.march, seeded.flags.mild, seeded.flags.serious]);
    await page.getByRole('button', { name: /^Reported/ }).click();
    await page.waitForURL(/sort=asc/);
    await page.locator(`[data-testid="adverse-events"] tbody tr:first-child[data-flag-id="${seeded.flags.serious}"]`).waitFor();
    await axe(page);

    // February, serious, Lipolytic cocktail A: the one assessed reaction.
    await page.getByLabel('Reported from').fill('2026-02-01');
    await page.getByLabel('Reported to').fill('2026-02-28');
    await choose(page, 'Seriousness', 'Serious');
    await choose(page, 'Product', 'Lipolytic cocktail A');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/seriousness=serious/);
    await page.getByRole('heading', { name: '1 adverse event' }).waitFor();
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: '2026-02-01', to: '2026-02-28', seriousness: 'serious', product: 'Lipolytic cocktail A', sort: 'asc' });
    expect(await ids()).toEqual([seeded.flags.serious]);
    expect(await page.locator('[data-testid="adverse-events"] tbody tr td[data-col="causality"]').textContent()).toBe('Related');
    await axe(page);
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await axe(page);
    await screenshot(page, 'adverse-events-375');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'adverse-events-1280');

    // The downloads of this filter, parsed back and matched with the API's answers for the same filter.
    const filter = 'from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z&product=Lipolytic+cocktail+A&seriousness=serious';
    const listed = (await t.http.get(`/v1/adverse-events?${filter}`).set(c.compliance.auth).expect(200)).body.items as Json[];
    expect(listed.map((e) => e.id)).toEqual([seeded.flags.serious]);

    const csv = await download(page, 'CSV');
    // Chromium takes the clinic's name as written (filename*); the ASCII filename is for older clients.
    expect(csv.name).toBe('adverse-events_Clínica-Norte_2026-02-01_to_2026-03-01.csv');
    const rows = parseCsv(csv.text);
    const apiCsv = (await t.http.get(`/v1/adverse-events/export?format=csv&${filter}`).set(c.compliance.auth).expect(200)).text;
    expect(rows).toEqual(parseCsv(apiCsv));
    const idColumn = rows[0].indexOf('adverse_event_id');
    expect(rows.slice(1).map((r) => r[idColumn])).toEqual(listed.map((e) => e.id));

    const fhir = await download(page, 'FHIR R4 Bundle');
    expect(fhir.name).toBe('adverse-events_Clínica-Norte_2026-02-01_to_2026-03-01.fhir.json');
    const bundle = JSON.parse(fhir.text);
    const apiBundle = JSON.parse((await t.http.get(`/v1/adverse-events/export?format=fhir&${filter}`).set(c.compliance.auth).buffer(true).parse(streamedText).expect(200)).body as string);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    const resources = (b: Json, type: string) => (b.entry as Json[]).map((e) => e.resource).filter((r) => r.resourceType === type);
    expect(resources(bundle, 'AdverseEvent').map((r) => r.id)).toEqual(listed.map((e) => e.id));
    expect(resources(bundle, 'AdverseEvent')).toEqual(resources(apiBundle, 'AdverseEvent'));
    expect(resources(bundle, 'QuestionnaireResponse')).toEqual(resources(apiBundle, 'QuestionnaireResponse'));
    // Both downloads are on the record, with the filter.
    const exports = (await t.http.get('/v1/audit-events?action=adverse_events.exported').set(c.compliance.auth).expect(200)).body.items as Json[];
    expect(exports.filter((e) => e.actorId === c.compliance.id && e.data.filters.seriousness === 'serious').map((e) => e.data.format)).toEqual(expect.arrayContaining(['csv', 'fhir']));

    // The row opens the flag: answers, assessment and history, and no actions.
    await page.locator(`tr[data-flag-id="${seeded.flags.serious}"] a`).click();
    await page.getByRole('heading', { level: 1, name: /flag: Marta Serrano/ }).waitFor();
    await page.getByText('Assessed: Related, Serious').waitFor();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await page.getByRole('heading', { name: 'Answers against the expected course' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    expect(await offeredActions(page)).toEqual([]);
    await axe(page);

    // A forged POST from the compliance session is refused: without the CSRF proof, and with it (the role may not).
    const forged = await page.evaluate<number[]>(`(async () => {
      const csrf = decodeURIComponent((document.cookie.split('; ').find((c) => c.startsWith('aftercare_csrf=')) ?? '').split('=')[1] ?? '');
      const post = (headers) => fetch('/v1/flags/${seeded.flags.serious}/notes', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ text: 'forged' }) }).then((r) => r.status);
      return [await post({}), await post({ 'X-CSRF-Token': csrf })];
    })()`);
    expect(forged).toEqual([403, 403]);
    const flag = (await t.http.get(`/v1/flags/${seeded.flags.serious}`).set(c.compliance.auth).expect(200)).body;
    expect((flag.history as Json[]).some((h) => h.kind === 'note')).toBe(false);

    // Nor do the patient pages offer compliance a change.
    await page.goto(`/app/patients/${seeded.patients.serious}`);
    await page.getByRole('heading', { level: 1, name: 'Marta Serrano' }).waitFor();
    await page.getByRole('link', { name: '← Patients' }).click();
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    expect(await offeredActions(page)).toEqual([]);
  });

  it('the audit log shows who, what and when with a readable diff, redactions with their erasure, and each entity’s own trail', async () => {
    // An erased patient: their earlier change is redacted, claimed by the erasure.
    const erased = await newPatient(t, c, { givenName: 'Olga', familyName: 'Prieto' });
    await t.http.patch(`/v1/patients/${erased.id}`).set(c.practitioner.auth).send({ familyName: 'Prieto Luna' }).expect(200);
    await t.http.post(`/v1/patients/${erased.id}/erase`).set(c.admin.auth).send({ reason: 'patient request, ticket 31' }).expect(200);
    const erasure = ((await t.http.get(`/v1/audit-events?action=patient.erased&entityId=${erased.id}`).set(c.compliance.auth).expect(200)).body.items as Json[])[0];

    const page = await open();
    await signIn(page, c.compliance, `/app/audit?entityType=flag&entityId=${seeded.flags.serious}`);
    await page.getByRole('heading', { level: 1, name: `Audit trail of flag ${seeded.flags.serious}` }).waitFor();
    const assessed = page.locator('li.audit-event', { hasText: 'Flag assessed' });
    await assessed.waitFor();
    expect(await assessed.textContent()).toContain('A practitioner');
    const causality = assessed.locator('table.diff-table tr', { hasText: 'causality' });
    expect(await causality.locator('td.diff-before').textContent()).toBe('(empty)');
    expect(await causality.locator('td.diff-after').textContent()).toBe('related');
    const seqs = await page.locator('li.audit-event').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs.length).toBeGreaterThan(1);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await axe(page);

    // The filter form: by action over the whole log.
    await page.getByRole('link', { name: 'Show the whole log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    // 50 events to a page, in chain order.
    await page.getByRole('navigation', { name: 'Audit log pages' }).getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/page=2/);
    await page.locator('li.audit-event[data-seq="51"]').waitFor();
    await axe(page);
    await page.getByLabel('Action').fill('patient.updated');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=patient\.updated/);
    await page.locator('li.audit-event').first().waitFor();
    // The previous page's events stay until the filtered ones arrive.
    await page.locator('li.audit-event .audit-head strong').filter({ hasNotText: 'Patient updated' }).first().waitFor({ state: 'detached' });
    const actions = await page.locator('li.audit-event .audit-head strong').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['Patient updated']));

    // A redacted payload says so, and names the erasure that claims it.
    const redacted = page.locator(`li.audit-event:has(a[aria-label="Audit trail of patient ${erased.id}"])`).first();
    await redacted.getByTestId('redacted').waitFor();
    expect(await redacted.getByTestId('redacted').textContent()).toContain(`by the erasure recorded as event #${erasure.clinicSeq}`);
    expect(await redacted.locator('table.diff-table').count()).toBe(0);

    // An entity id leads to that entity's trail alone.
    await redacted.getByRole('link', { name: `Audit trail of patient ${erased.id}` }).first().click();
    await page.getByRole('heading', { level: 1, name: `Audit trail of patient ${erased.id}` }).waitFor();
    await page.locator('li.audit-event', { hasText: 'Patient erased' }).waitFor();
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ entityType: 'patient', entityId: erased.id });
    expect(await page.getByLabel('Entity id').inputValue()).toBe(erased.id);
    await axe(page);

    // The screenshots: one flag's trail (its assessment's diff among it).
    await page.goto(`/app/audit?entityType=flag&entityId=${seeded.flags.serious}`);
    await page.locator('li.audit-event', { hasText: 'Flag assessed' }).waitFor();
    await screenshot(page, 'audit-log-1280');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await axe(page);
    await screenshot(page, 'audit-log-375');
    expect(await offeredActions(page)).toEqual([]);
  });

  it('integrity: verifies intact against the signed checkpoint, downloads it, then shows where and why a tampered chain breaks', async () => {
    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.compliance.auth).expect(201)).body;
    // A longer chain, so the verification takes a while: the page shows its progress meanwhile.
    await appendFillerEvents(c.clinic.id, 15_000, t.clock.now());
    const page = await open();
    await signIn(page, c.compliance, '/app/integrity');
    await page.getByRole('heading', { level: 1, name: 'Audit chain integrity' }).waitFor();
    expect(await offeredActions(page)).toEqual([]);
    await page.getByRole('button', { name: 'Verify the chain now' }).click();
    await page.getByTestId('verify-progress').waitFor();
    const result = page.getByTestId('verify-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-status')).toBe('ok');
    expect(await result.textContent()).toContain('Intact.');
    const report = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(report.count).toBeGreaterThan(15_000);
    expect(await page.getByTestId('verify-count').textContent()).toBe(report.count.toLocaleString('en-GB'));
    const against = await page.getByTestId('verify-checkpoint').textContent();
    expect(against).toContain(`at event #${cp.clinicSeq}`);
    expect(against).toContain('asked for by A compliance');
    expect(against).toContain('signed with this service’s key');
    expect(await result.textContent()).toContain(`#${report.headSeq}, hash ${report.headHash}`);

    // The checkpoint's download is the JSON that verifies with Node's crypto alone.
    const row = page.locator(`tr[data-checkpoint-id="${cp.id}"]`);
    expect(await row.textContent()).toContain('A compliance');
    const [file] = await Promise.all([page.waitForEvent('download'), row.getByRole('link').click()]);
    expect(file.suggestedFilename()).toBe(`audit-checkpoint_${c.clinic.id}_${cp.clinicSeq}.json`);
    const exported = JSON.parse(readFileSync((await file.path())!, 'utf8'));
    expect(exported).toEqual({ clinicId: c.clinic.id, clinicSeq: cp.clinicSeq, headHash: cp.headHash, createdAt: cp.createdAt, signature: cp.signature, publicKey: cp.publicKey });
    const signed = Buffer.from(canonicalJson({ clinicId: exported.clinicId, clinicSeq: exported.clinicSeq, headHash: exported.headHash, createdAt: exported.createdAt }));
    expect(verifySignature(null, signed, createPublicKey(exported.publicKey), Buffer.from(exported.signature, 'base64'))).toBe(true);
    expect((await page.getByTestId('public-key').textContent())!.trim()).toBe(TEST_AUDIT_PUBLIC_KEY.trim());
    expect(await page.getByTestId('verify-command').textContent()).toBe(`npm run cli -- audit:verify --clinic ${c.clinic.id} --checkpoint checkpoint.json --public-key audit-public-key.pem`);
    await axe(page);
    await screenshot(page, 'integrity-1280');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await axe(page);
    await screenshot(page, 'integrity-375');
    await page.setViewportSize(DESKTOP);

    // A superuser rewrites one event's action below the service (its trigger switched off).
    const target = 4;
    await asOwner(async (o) => {
      await o.query('BEGIN');
      await o.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
      await o.query(`UPDATE audit_events SET action = 'patient.viewed' WHERE clinic_id = $1 AND clinic_seq = $2`, [c.clinic.id, target]);
      await o.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
      await o.query('COMMIT');
    });
    await page.getByRole('button', { name: 'Verify the chain now' }).click();
    await page.locator('[data-testid="verify-result"][data-status="broken"]').waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain(`Broken at event #${target}.`);
    expect(await page.getByTestId('verify-reason').textContent()).toBe(
      'Why: altered: the event was changed after it was written: its content no longer gives the hash it was chained with.',
    );
    await axe(page);
    await screenshot(page, 'integrity-broken-1280');

    // An admin sees the same pages, and may sign a checkpoint (which the broken chain refuses, in words).
    const admin = await open();
    await signIn(admin, c.admin, '/app/integrity');
    await admin.getByRole('button', { name: 'Sign a checkpoint now' }).click();
    await admin.getByRole('alert').filter({ hasText: 'fails verification (altered at 4)' }).waitFor();
    await axe(admin);
  });
});
