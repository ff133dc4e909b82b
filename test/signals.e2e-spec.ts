import { SignalsService } from '../src/signals/signals.service';
import { appSuite, type TestApp } from './support/app';
import { newApiKey, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';
import { CLEAN, dispatchAndAnswer } from './support/signals';

const DAY = 86400_000;

interface Row {
  dimension: string;
  value: string;
  label: string | null;
  signal: boolean;
  kinds: string[];
  why: string[];
  comparedWith: string;
  stats: { a: number; b: number; c: number; d: number; exposures: number; events: number; rate: number | null; restRate: number | null; prr: number | null; prrInfinite: boolean; chiSquare: number | null; prrLower: number | null; prrUpper: number | null };
  cluster: { lateOnsetPatients: number } | null;
}

/** Safety signals per lot/product/practitioner/technique/formula/clinic, and their alerts. (The course report: course-report.e2e-spec.ts.) */
describe('safety signals', () => {
  const app = appSuite({ start: '2026-03-02T08:00:00Z' });
  let t: TestApp;
  let signals: SignalsService;
  beforeAll(() => {
    t = app.t;
    signals = t.get(SignalsService);
  });

  const get = (path: string, who: Record<string, string>) => t.http.get(path).set(who);
  const rowOf = (rows: Row[], dimension: string, value: string) => rows.find((r) => r.dimension === dimension && r.value === value);

  describe('disproportionality: a lot with three late infections', () => {
    let c: TestClinic;
    let other: TestClinic;
    const eventEmails: string[] = [];
    const names: string[] = [];

    beforeAll(async () => {
      t.clock.set('2026-03-02T08:00:00Z');
      c = await newClinic(t);
      other = await newClinic(t);
      // Lot A: 4 treatments by injector gun, 3 with a new hard lump at day 30. Lots B and C: 20 by hand, one lump (lot B).
      const plan = [
        ...Array.from({ length: 4 }, (_, i) => ({ lot: 'LOT-A', technique: 'injector_gun', event: i < 3 })),
        ...Array.from({ length: 20 }, (_, i) => ({ lot: i % 2 ? 'LOT-C' : 'LOT-B', technique: 'manual', event: i === 0 })),
      ];
      let dueDay30 = '';
      for (const [i, item] of plan.entries()) {
        const familyName = `Signalpatient${i}`;
        const p = await newPatient(t, c, { preferredChannel: 'email', familyName });
        const tr = await newTreatment(t, c, p.id, { lotNumber: item.lot });
        await t.db.query(`UPDATE treatments SET technique = $2, formula = 'F-1' WHERE id = $1`, [tr.id, item.technique]);
        dueDay30 = (tr.checkIns as unknown as Array<{ dayOffset: number; dueAt: string }>).find((s) => s.dayOffset === 30)!.dueAt;
        if (item.event) {
          eventEmails.push(p.email!);
          names.push(familyName);
        }
      }
      // The other clinic uses the same lot name, with no events: it must not dilute or see anything.
      for (let i = 0; i < 3; i++) {
        const p = await newPatient(t, other, { preferredChannel: 'email' });
        await newTreatment(t, other, p.id, { lotNumber: 'LOT-A' });
      }
      t.clock.set(dueDay30);
      await dispatchAndAnswer(t, eventEmails.map((email) => ({ email, form: { ...CLEAN, ws_new_lump: 'yes' } })));
      const urgent = (await get('/v1/flags?priority=urgent', c.practitioner.auth).expect(200)).body.items;
      expect(urgent).toHaveLength(4);
    });

    it('finds lot A (and the injector gun) as a signal with the numbers behind it, not the clean lots', async () => {
      const res = await get('/v1/signals?windowDays=90', c.compliance.auth).expect(200);
      const body = res.body as { windowDays: number; totals: object; values: Row[]; signals: Row[]; method: { chiSquare: string } };
      expect(body.windowDays).toBe(90);
      expect(body.totals).toEqual({ exposures: 24, events: 4 });
      expect(body.method.chiSquare).toMatch(/Yates/);
      const lotA = rowOf(body.values, 'lot', 'LOT-A')!;
      expect(lotA).toMatchObject({ signal: true, kinds: ['disproportionality'], comparedWith: 'rest of the clinic' });
      expect(lotA.stats).toMatchObject({ a: 3, b: 1, c: 1, d: 19, exposures: 4, events: 3, rate: 0.75, restRate: 0.05, prrInfinite: false });
      // PRR = (3/4)/(1/20) = 15; χ² (Yates) = 24 (|3·19 − 1·1| − 12)² / (4·20·4·20) = 7.26.
      expect(lotA.stats.prr).toBeCloseTo(15, 10);
      expect(lotA.stats.chiSquare).toBeCloseTo(7.26, 10);
      expect(lotA.why[0]).toBe('disproportionality: n = 3 ≥ 3, PRR = 15 ≥ 2, χ² = 7.26 ≥ 4');
      // 95% interval: exp(ln 15 ± 1.96·√(1/3 − 1/4 + 1/1 − 1/20)) = 2.05 to 110.0.
      expect(lotA.stats.prrLower).toBeCloseTo(2.0455, 3);
      expect(lotA.stats.prrUpper).toBeCloseTo(109.9966, 3);
      const lotB = rowOf(body.values, 'lot', 'LOT-B')!;
      expect(lotB).toMatchObject({ signal: false, kinds: [], stats: { a: 1, b: 9, c: 3, d: 11 } });
      expect(rowOf(body.values, 'lot', 'LOT-C')).toMatchObject({ signal: false, stats: { a: 0, b: 10, prr: 0 } });
      expect(rowOf(body.values, 'technique', 'injector_gun')).toMatchObject({ signal: true, stats: { a: 3, b: 1, c: 1, d: 19 } });
      // Everyone has the same product, practitioner and formula: nothing to compare with, said so, no NaN.
      for (const [dimension, value] of [['product', 'Lipolytic cocktail A'], ['practitioner', c.practitioner.id], ['formula', 'F-1']]) {
        expect(rowOf(body.values, dimension, value)).toMatchObject({ signal: false, stats: { exposures: 24, prr: null, chiSquare: null } });
      }
      expect(rowOf(body.values, 'practitioner', c.practitioner.id)!.label).toBe('A practitioner');
      expect(rowOf(body.values, 'clinic', c.clinic.id)).toMatchObject({ comparedWith: "the clinic's previous window", signal: false, stats: { a: 4, b: 20, c: 0, d: 0 } });
      expect(body.signals.map((r) => `${r.dimension}:${r.value}`).sort()).toEqual(['lot:LOT-A', 'technique:injector_gun']);
      expect(JSON.stringify(body)).not.toMatch(/NaN|Infinity/);
      // Practitioners read it too; a short window holds none of these treatments.
      const week = (await get('/v1/signals?windowDays=7', c.practitioner.auth).expect(200)).body;
      expect(week.totals).toEqual({ exposures: 0, events: 0 });
      expect(week.signals).toEqual([]);
    });

    it('opens the cases behind a row: the three patients of lot A with their urgent flags, audited as a read', async () => {
      const res = await get('/v1/signals/cases?dimension=lot&value=LOT-A&windowDays=90', c.compliance.auth).expect(200);
      const body = res.body as {
        exposures: number;
        events: number;
        cases: Array<{ patientName: string; lotNumber: string; inWindow: boolean; practitionerName: string; technique: string; flags: Array<{ id: string; priority: string; reason: string }> }>;
      };
      expect(body).toMatchObject({ dimension: 'lot', value: 'LOT-A', windowDays: 90, exposures: 4, events: 3 });
      expect(body.cases.map((x) => x.patientName.split(' ').at(-1)).sort()).toEqual(['Signalpatient0', 'Signalpatient1', 'Signalpatient2']);
      for (const x of body.cases) {
        expect(x).toMatchObject({ lotNumber: 'LOT-A', inWindow: true, practitionerName: 'A practitioner', technique: 'injector_gun' });
        expect(x.flags.length).toBeGreaterThan(0);
        expect(x.flags[0].priority).toBe('urgent');
      }
      // The technique row holds the same three; lot C none; the practitioner row (by id) all four.
      expect((await get('/v1/signals/cases?dimension=technique&value=injector_gun', c.practitioner.auth).expect(200)).body.events).toBe(3);
      expect((await get('/v1/signals/cases?dimension=lot&value=LOT-C', c.admin.auth).expect(200)).body).toMatchObject({ exposures: 10, events: 0, cases: [] });
      const byPractitioner = (await get(`/v1/signals/cases?dimension=practitioner&value=${c.practitioner.id}`, c.compliance.auth).expect(200)).body;
      expect(byPractitioner).toMatchObject({ label: 'A practitioner', exposures: 24, events: 4 });
      expect((await get(`/v1/signals/cases?dimension=clinic&value=${c.clinic.id}`, c.compliance.auth).expect(200)).body.events).toBe(4);
      // The other clinic's lot of the same name holds none of them; its id is not ours.
      expect((await get('/v1/signals/cases?dimension=lot&value=LOT-A', other.compliance.auth).expect(200)).body).toMatchObject({ exposures: 3, events: 0, cases: [] });
      await get(`/v1/signals/cases?dimension=clinic&value=${c.clinic.id}`, other.compliance.auth).expect(404);
      // A read of patient records: audited with the patients it showed.
      const audit = (await get('/v1/audit-events?action=signal.cases_viewed&limit=50', c.compliance.auth).expect(200)).body.items as Array<{ action: string; data: { value: string; patientIds: string[] } }>;
      const viewed = audit.find((e) => e.action === 'signal.cases_viewed' && e.data.value === 'LOT-A');
      expect(viewed?.data.patientIds).toHaveLength(3);
      // Bad input says what is wrong.
      expect(JSON.stringify((await get('/v1/signals/cases?dimension=colour&value=x', c.compliance.auth).expect(400)).body.message)).toContain('dimension must be one of');
      expect(JSON.stringify((await get('/v1/signals/cases?dimension=lot', c.compliance.auth).expect(400)).body.message)).toContain('value');
      expect(JSON.stringify((await get('/v1/signals/cases?dimension=lot&value=A&windowDays=0', c.compliance.auth).expect(400)).body.message)).toContain('windowDays');
      await get('/v1/signals/cases?dimension=lot&value=LOT-A', await newApiKey(t, c)).expect(403);
    });

    it('records the signals on a tick and alerts compliance staff with ONE email, audited; a second tick sends nothing', async () => {
      const tick = await signals.tick();
      expect(tick.newSignals).toBeGreaterThanOrEqual(2);
      const mails = t.smtp.to(c.compliance.email);
      expect(mails).toHaveLength(1);
      const text = mails[0].parsed.text!;
      expect(mails[0].parsed.subject).toBe(`2 new safety signals at ${c.clinic.name}`);
      expect(text).toContain('Lot LOT-A: 3 of 4 treatments (75%) had an urgent or late-onset flag in the last 90 days, against 1 of 20 (5%) in rest of the clinic; PRR 15, chi-square 7.26.');
      expect(text).toContain('Technique injector_gun');
      expect(text).toContain('https://aftercare.test/v1/signals');
      for (const n of names) expect(text).not.toContain(n);
      for (const e of eventEmails) expect(text).not.toContain(e);
      // Only compliance staff: no alert to the admin, nothing to the other clinic.
      expect(t.smtp.to(c.admin.email)).toHaveLength(0);
      expect(t.smtp.to(other.compliance.email)).toHaveLength(0);
      // The urgent flags behind the signal alerted the on-call practitioners too; the compliance alert is one email.
      const toCompliance = await t.db.query(`SELECT purpose, status, channel FROM messages WHERE clinic_id = $1 AND staff_user_id = $2`, [c.clinic.id, c.compliance.id]);
      expect(toCompliance).toEqual([{ purpose: 'staff_alert', status: 'sent', channel: 'email' }]);

      const detected = (await get('/v1/signals', c.compliance.auth).expect(200)).body.detected;
      expect(detected.map((s: { dimension: string; value: string; kind: string }) => `${s.dimension}:${s.value}:${s.kind}`).sort()).toEqual([
        'lot:LOT-A:disproportionality',
        'technique:injector_gun:disproportionality',
      ]);
      const lotA = detected.find((s: { value: string }) => s.value === 'LOT-A');
      expect(lotA).toMatchObject({ windowDays: 90, numbers: { a: 3, b: 1, c: 1, d: 19 }, firstDetectedAt: t.clock.now().toISOString(), lastSeenAt: t.clock.now().toISOString() });

      const audit = (await get('/v1/audit-events?action=signal.detected&limit=50', c.compliance.auth).expect(200)).body.items as Array<{ action: string; entityId: string; data: Record<string, unknown> }>;
      const ours = audit.filter((e) => e.action === 'signal.detected');
      expect(ours).toHaveLength(2);
      expect(ours.find((e) => e.entityId === lotA.id)?.data).toMatchObject({ dimension: 'lot', value: 'LOT-A', kind: 'disproportionality', events: 3, exposures: 4 });
      expect((await get('/v1/audit-events/verify', c.compliance.auth).expect(200)).body.ok).toBe(true);

      // A day later the signal is still there: seen again, no new email, no new audit event.
      t.clock.advance(DAY);
      const again = await signals.tick();
      expect(again.newSignals).toBe(0);
      expect(t.smtp.to(c.compliance.email)).toHaveLength(1);
      const later = (await get('/v1/signals', c.compliance.auth).expect(200)).body.detected.find((s: { value: string }) => s.value === 'LOT-A');
      expect(later).toMatchObject({ firstDetectedAt: lotA.firstDetectedAt, lastSeenAt: t.clock.now().toISOString() });
      const auditAgain = (await get('/v1/audit-events?action=signal.detected&limit=50', c.compliance.auth).expect(200)).body.items;
      expect(auditAgain.filter((e: { action: string }) => e.action === 'signal.detected')).toHaveLength(2);
    });

    it('another clinic sees none of it, even with a lot of the same name; integrations are refused; bad windows are 400', async () => {
      const mine = (await get('/v1/signals', other.compliance.auth).expect(200)).body;
      expect(mine.totals).toEqual({ exposures: 3, events: 0 });
      expect(mine.signals).toEqual([]);
      expect(mine.detected).toEqual([]);
      expect(rowOf(mine.values, 'lot', 'LOT-A')).toMatchObject({ stats: { a: 0, b: 3, c: 0, d: 0 }, signal: false });
      await get('/v1/signals', await newApiKey(t, c)).expect(403);
      for (const bad of ['0', '-5', 'abc', '3.5', '1000']) {
        const res = await get(`/v1/signals?windowDays=${bad}`, c.compliance.auth).expect(400);
        expect(JSON.stringify(res.body.message)).toContain('windowDays');
      }
    });
  });

  describe('clusters of late-onset flags', () => {
    it('two late-onset flags on one lot within 90 days are a signal at once, whatever the PRR; further apart they are not', async () => {
      const c = await newClinic(t);
      const now = t.clock.now();
      const treat = async (lot: string) => {
        const p = await newPatient(t, c, { preferredChannel: 'email' });
        return { patientId: p.id, treatmentId: (await newTreatment(t, c, p.id, { lotNumber: lot, performedAt: new Date(now.getTime() - 120 * DAY).toISOString() })).id };
      };
      // Stand-in for the late-onset rule (engineer 2's): the flag rows as that rule writes them.
      const lateFlag = async (ref: { patientId: string; treatmentId: string }, daysAgo: number) => {
        const at = new Date(now.getTime() - daysAgo * DAY);
        await t.db.query(
          `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, status, created_at, updated_at)
           VALUES ($1, $2, $3, 'late-onset', 1, 'high', 'Late onset: new hard lump at day 30', '{}', 'open', $4, $4)`,
          [c.clinic.id, ref.patientId, ref.treatmentId, at],
        );
      };
      const clustered = [await treat('LOT-K'), await treat('LOT-K'), await treat('LOT-K')];
      await lateFlag(clustered[0], 60);
      await lateFlag(clustered[1], 5);
      const apart = [await treat('LOT-M'), await treat('LOT-M')];
      await lateFlag(apart[0], 100);
      await lateFlag(apart[1], 2);

      await signals.tick();
      const body = (await get('/v1/signals', c.compliance.auth).expect(200)).body as { values: Row[]; signals: Row[]; detected: Array<{ dimension: string; value: string; kind: string }> };
      const k = rowOf(body.values, 'lot', 'LOT-K')!;
      expect(k).toMatchObject({ signal: true, kinds: ['cluster'], cluster: { lateOnsetPatients: 2 } });
      expect(k.why).toEqual(['cluster: 2 patients with late-onset flags within 90 days']);
      // Performed 120 days ago: outside the 90-day exposure window, so no 2×2 numbers.
      expect(k.stats).toMatchObject({ exposures: 0, prr: null });
      // Its cases: the two clustered patients, performed before the window, found by the cluster window.
      const kCases = (await get('/v1/signals/cases?dimension=lot&value=LOT-K', c.compliance.auth).expect(200)).body;
      expect(kCases).toMatchObject({ exposures: 0, events: 0 });
      expect(kCases.cases.map((x: { patientId: string; inWindow: boolean }) => [x.patientId, x.inWindow]).sort()).toEqual(
        [[clustered[0].patientId, false], [clustered[1].patientId, false]].sort(),
      );
      expect(rowOf(body.values, 'lot', 'LOT-M')).toMatchObject({ signal: false, cluster: null });
      // The clinic as a whole: LOT-K's two and LOT-M's recent one.
      expect(rowOf(body.values, 'clinic', c.clinic.id)).toMatchObject({ signal: true, kinds: ['cluster'], cluster: { lateOnsetPatients: 3 } });
      expect(body.detected.map((s) => `${s.dimension}:${s.kind}`).sort()).toEqual(['clinic:cluster', 'lot:cluster']);
      const mails = t.smtp.to(c.compliance.email);
      expect(mails).toHaveLength(1);
      expect(mails[0].parsed.text).toContain('Lot LOT-K: cluster of 2 patients with late-onset flags within 90 days');
      expect(mails[0].parsed.text).toContain('The clinic as a whole: cluster of 3 patients with late-onset flags');

      await signals.tick();
      expect(t.smtp.to(c.compliance.email)).toHaveLength(1);
    });

    it('end to end: two patients of one lot, well at days 7 and 14, report a lump at day 30; the late-onset rule flags both and the lot is a cluster', async () => {
      t.clock.set('2026-03-02T08:00:00Z');
      const c = await newClinic(t);
      const emails: string[] = [];
      let steps: Array<{ dayOffset: number; dueAt: string }> = [];
      for (let i = 0; i < 2; i++) {
        const p = await newPatient(t, c, { preferredChannel: 'email' });
        emails.push(p.email!);
        steps = (await newTreatment(t, c, p.id, { lotNumber: 'LOT-Q' })).checkIns as unknown as Array<{ dayOffset: number; dueAt: string }>;
      }
      // A clean lot beside it: one patient, well throughout.
      const clean = await newPatient(t, c, { preferredChannel: 'email' });
      await newTreatment(t, c, clean.id, { lotNumber: 'LOT-W' });
      for (const day of [7, 14]) {
        t.clock.set(steps.find((s) => s.dayOffset === day)!.dueAt);
        await dispatchAndAnswer(t, [...emails, clean.email!].map((email) => ({ email, form: CLEAN })));
      }
      t.clock.set(steps.find((s) => s.dayOffset === 30)!.dueAt);
      await dispatchAndAnswer(t, [
        ...emails.map((email) => ({ email, form: { ...CLEAN, ws_new_lump: 'yes' } })),
        { email: clean.email!, form: CLEAN },
      ]);
      const flags = (await get('/v1/flags?limit=50', c.compliance.auth).expect(200)).body.items as Array<{ ruleId: string; priority: string; reason: string }>;
      const late = flags.filter((f) => f.ruleId === 'late-onset');
      expect(late).toHaveLength(2);
      for (const f of late) expect(f).toMatchObject({ priority: 'high', reason: expect.stringContaining('consider atypical mycobacteria') });

      await signals.tick();
      const body = (await get('/v1/signals', c.compliance.auth).expect(200)).body as { values: Row[] };
      expect(rowOf(body.values, 'lot', 'LOT-Q')).toMatchObject({ signal: true, cluster: { lateOnsetPatients: 2 } });
      expect(rowOf(body.values, 'lot', 'LOT-Q')!.kinds).toContain('cluster');
      expect(rowOf(body.values, 'lot', 'LOT-W')).toMatchObject({ signal: false, cluster: null, stats: { a: 0 } });
      const mails = t.smtp.to(c.compliance.email);
      expect(mails).toHaveLength(1);
      expect(mails[0].parsed.text).toContain('Lot LOT-Q: cluster of 2 patients with late-onset flags within 90 days');
    });

    it('alerts the admins when the clinic has no compliance staff', async () => {
      const c = await newClinic(t);
      // No API deactivates staff yet: the row as an inactive account looks.
      await t.db.query(`UPDATE staff_users SET active = false WHERE id = $1`, [c.compliance.id]);
      const now = t.clock.now();
      for (const daysAgo of [10, 3]) {
        const p = await newPatient(t, c, { preferredChannel: 'email' });
        const tr = await newTreatment(t, c, p.id, { lotNumber: 'LOT-Z', performedAt: new Date(now.getTime() - 40 * DAY).toISOString() });
        await t.db.query(
          `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, status, created_at, updated_at)
           VALUES ($1, $2, $3, 'late-onset', 1, 'high', 'Late onset', '{}', 'open', $4, $4)`,
          [c.clinic.id, p.id, tr.id, new Date(now.getTime() - daysAgo * DAY)],
        );
      }
      await signals.tick();
      expect(t.smtp.to(c.compliance.email)).toHaveLength(0);
      expect(t.smtp.to(c.admin.email)).toHaveLength(1);
    });
  });
});
