import { AuditService } from '../src/audit/audit.service';
import { eventHash } from '../src/audit/chain-hash';
import { ChainReport, ChainVerifier } from '../src/audit/chain-verifier.service';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newPatient, TestClinic } from './support/factories';
import { asOwner, tamper } from './support/owner';

/**
 * Verification with worker threads (hashes recomputed in workers while the main thread reads
 * pages and checks links) gives the serial walk's answer: the same first broken event and reason,
 * the same report, on whole and tampered chains, with small pages so that a chain spans several
 * pages and each page several workers' slices.
 */
jest.setTimeout(120_000);

describe('audit verification in worker threads', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const actor = { type: 'integration' as const, id: 'verify-parallel' };
  /** A clinic whose chain holds a patient (with payload-carrying events) and `reads` audited reads. */
  async function chainOf(reads: number): Promise<TestClinic> {
    const c = await newClinic(t);
    await newPatient(t, c);
    const audit = t.get(AuditService);
    for (let i = 0; i < reads; i++) await audit.recordAccess({ clinicId: c.clinic.id, actor, action: 'bench.read', entityType: 'test', entityId: String(i) });
    await newPatient(t, c);
    return c;
  }
  const both = async (clinicId: string): Promise<{ serial: ChainReport; parallel: ChainReport; oneWorker: ChainReport }> => {
    const v = t.get(ChainVerifier);
    return {
      serial: await v.verify(clinicId, undefined, { pageSize: 7, workers: 0 }),
      parallel: await v.verify(clinicId, undefined, { pageSize: 7, workers: 2 }),
      oneWorker: await v.verify(clinicId, undefined, { pageSize: 1000, workers: 1 }),
    };
  };
  const alterData = (clinicId: string, seq: number) =>
    tamper('audit_events', 'audit_events_no_update_delete', `UPDATE audit_events SET data = '{"tampered": true}' WHERE clinic_id = $1 AND clinic_seq = $2`, [clinicId, String(seq)]);

  it('a whole chain: ok, the same report', async () => {
    const c = await chainOf(30);
    const r = await both(c.clinic.id);
    expect(r.serial).toMatchObject({ ok: true, status: 'ok' });
    expect(r.parallel).toEqual(r.serial);
    expect(r.oneWorker).toEqual(r.serial);
  });

  it('two events altered: both paths report the first one, altered', async () => {
    const c = await chainOf(40);
    // The later one first in its page, the earlier one late in another: the first found by a worker is not the answer.
    await alterData(c.clinic.id, 36);
    await alterData(c.clinic.id, 20);
    const r = await both(c.clinic.id);
    expect(r.serial).toMatchObject({ ok: false, status: 'broken', reason: 'altered', brokenAt: '20' });
    expect(r.parallel).toEqual(r.serial);
    expect(r.oneWorker).toEqual(r.serial);
  });

  it('an event rewritten with a consistent hash: the next link is out of order, in both paths', async () => {
    const c = await chainOf(25);
    await asOwner(async (o) => {
      const [row] = (await o.query(`SELECT * FROM audit_events WHERE clinic_id = $1 AND clinic_seq = 12`, [c.clinic.id])).rows;
      const data = { ...row.data, rewritten: true };
      const hash = eventHash(c.clinic.id, row.prev_hash, { ...row, clinic_seq: String(row.clinic_seq), data });
      await o.query('BEGIN');
      await o.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
      await o.query(`UPDATE audit_events SET data = $2, hash = $3 WHERE seq = $1`, [row.seq, data, hash]);
      await o.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
      await o.query('COMMIT');
    });
    const r = await both(c.clinic.id);
    expect(r.serial).toMatchObject({ ok: false, status: 'broken', reason: 'out of order', brokenAt: '13' });
    expect(r.parallel).toEqual(r.serial);
    expect(r.oneWorker).toEqual(r.serial);
  });

  it('an event missing before an altered one: missing is the first break, in both paths', async () => {
    const c = await chainOf(30);
    await alterData(c.clinic.id, 25);
    await tamper('audit_events', 'audit_events_no_update_delete', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq = 9`, [c.clinic.id]);
    const r = await both(c.clinic.id);
    expect(r.serial).toMatchObject({ ok: false, status: 'broken', reason: 'missing', brokenAt: '9' });
    expect(r.parallel).toEqual(r.serial);
    expect(r.oneWorker).toEqual(r.serial);
  });

  it('a payload altered after an event hashed in a worker: payload altered, in both paths', async () => {
    const c = await chainOf(10);
    const [{ seq, clinic_seq }] = await t.db.query(
      `SELECT e.seq, e.clinic_seq FROM audit_events e JOIN audit_event_payloads p ON p.event_seq = e.seq WHERE e.clinic_id = $1 ORDER BY e.clinic_seq DESC LIMIT 1`,
      [c.clinic.id],
    );
    await tamper('audit_event_payloads', 'audit_event_payloads_redact_only', `UPDATE audit_event_payloads SET payload = '{"changes": {}}' WHERE event_seq = $1`, [seq]);
    const r = await both(c.clinic.id);
    expect(r.serial).toMatchObject({ ok: false, status: 'broken', reason: 'payload altered', brokenAt: String(clinic_seq) });
    expect(r.parallel).toEqual(r.serial);
    expect(r.oneWorker).toEqual(r.serial);
  });
});
