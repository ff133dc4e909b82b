import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { AuditService } from '../src/audit/audit.service';
import { createTestApp, TestApp } from './support/app';
import { appWithClinic, countRows, newClinic, newMessageSid, newPatient, newTreatment, TestClinic } from './support/factories';

/**
 * Transactions under load and nested: concurrent SMS replies without exhausting the pool, one
 * treatment for an externalRef sent at once three times, and the audit log's events in
 * savepoints (refused inside one, kept, flushed at the outer COMMIT, dropped on rollback).
 */

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('under concurrent load', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  });
  afterAll(() => t.close());

  it('takes 30 SMS replies at once without exhausting the connection pool (one connection per transaction)', async () => {
    const c = await newClinic(t);
    const treated = [];
    for (let i = 0; i < 30; i++) {
      const patient = await newPatient(t, c, { preferredChannel: 'sms' });
      treated.push({ patient, treatment: await newTreatment(t, c, patient.id) });
    }
    t.clock.set(new Date(treated[0].treatment.checkIns[0].dueAt));
    expect((await t.dispatcher.tick()).sent).toBe(30);

    // Each reply's transaction used to ask the pool for a second connection while holding one.
    // Every third names a warning sign, so the urgent path (staff to alert) runs under load too.
    const results = await Promise.all(
      treated.map(({ patient }, i) =>
        t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newMessageSid(), From: patient.phone!, To: c.smsNumber, Body: i % 3 ? '1 0 1 0 1' : 'my lips are swelling' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(await countRows(t, `responses WHERE clinic_id = $1`, [c.clinic.id])).toBe(30);
    expect(await countRows(t, `check_ins WHERE clinic_id = $1 AND status = 'answered'`, [c.clinic.id])).toBe(30);
    expect(await countRows(t, `flags WHERE clinic_id = $1 AND priority = 'urgent'`, [c.clinic.id])).toBe(10);
    // The practitioner (no rota: every practitioner) gets an SMS and an email per urgent flag.
    expect(await countRows(t, `messages WHERE clinic_id = $1 AND purpose = 'staff_alert'`, [c.clinic.id])).toBe(20);
  });

  it('creates one treatment for an externalRef sent three times at once: one 201, the rest 409', async () => {
    const c = await newClinic(t);
    const patient = await newPatient(t, c);
    const body = {
      patientId: patient.id,
      procedure: 'mesotherapy',
      indication: 'cellulite',
      bodyAreas: ['thighs'],
      product: 'Lipolytic cocktail A',
      externalRef: `visit-${randomBytes(4).toString('hex')}`,
      performedAt: t.clock.now().toISOString(),
    };
    // Line the three up past the service's friendly check: the patient row lock makes each INSERT
    // wait (its foreign key needs the row), so all three reach the database together.
    const blocker = new Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    let results: Response[];
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM patients WHERE id = $1 FOR UPDATE', [patient.id]);
      const pending = Promise.all([1, 2, 3].map(() => t.http.post('/v1/treatments').set(c.practitioner.auth).send(body).then((r) => r)));
      // Read as the owner: the service role (aftercare_app) does not see other sessions' wait events.
      await waitFor(async () => {
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await blocker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return rows[0].n === 3;
      });
      await blocker.query('COMMIT');
      results = await pending;
    } finally {
      await blocker.end();
    }
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(await countRows(t, `treatments WHERE clinic_id = $1`, [c.clinic.id])).toBe(1);
    expect(await countRows(t, `check_ins WHERE clinic_id = $1`, [c.clinic.id])).toBe(7); // days 1, 3, 7, 14, 30, 60, 90
    expect(await countRows(t, `audit_events WHERE clinic_id = $1 AND action = 'treatment.created'`, [c.clinic.id])).toBe(1);
  });
});

describe('the audit log in nested transactions (savepoints)', () => {
  const suite = appWithClinic();
  let t: TestApp;
  let c: TestClinic;
  let audit: AuditService;
  beforeAll(() => {
    ({ t, c } = suite);
    audit = t.get(AuditService);
  });

  const entry = (action: string) => ({ clinicId: c.clinic.id, actor: { type: 'system' as const, id: null }, action, entityType: 'test' });
  const events = (action: string) => countRows(t, `audit_events WHERE clinic_id = $1 AND action = $2`, [c.clinic.id, action]);

  it('refuses to record inside a savepoint, with a clear error', async () => {
    await expect(
      t.db.transaction(async (m) => {
        await m.transaction((inner) => audit.record(inner, entry('test.inside_savepoint')));
      }),
    ).rejects.toThrow(/nested transaction/);
    expect(await events('test.inside_savepoint')).toBe(0);
  });

  it("keeps the outer transaction's events when a savepoint rolls back", async () => {
    await t.db.transaction(async (m) => {
      await audit.record(m, entry('test.outer_kept'));
      await m.transaction(async () => {
        throw new Error('undo the savepoint only');
      }).catch(() => undefined);
    });
    expect(await events('test.outer_kept')).toBe(1);
  });

  it('flushes at the outer COMMIT, not when a savepoint is released', async () => {
    let seenBeforeCommit = -1;
    await t.db.transaction(async (m) => {
      await audit.record(m, entry('test.flushed_once'));
      await m.transaction(async (inner) => {
        await inner.query('SELECT 1');
      });
      [{ n: seenBeforeCommit }] = await m.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1 AND action = 'test.flushed_once'`, [c.clinic.id]);
    });
    expect(seenBeforeCommit).toBe(0);
    expect(await events('test.flushed_once')).toBe(1);
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
  });

  it('drops the events of a rolled-back outer transaction', async () => {
    await expect(
      t.db.transaction(async (m) => {
        await audit.record(m, entry('test.rolled_back'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await events('test.rolled_back')).toBe(0);
  });
});
