import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCliContext } from '../src/app.module';
import { eventHash } from '../src/audit/chain-hash';
import { ChainVerifier } from '../src/audit/chain-verifier.service';
import { AuditCheckpointsService } from '../src/audit/checkpoints.service';
import { configuredSigningKey, requireAuditSigningKey } from '../src/audit/signing-key';
import { ConfigError } from '../src/config/app-config';
import { createTestApp, TEST_AUDIT_PUBLIC_KEY, TEST_AUDIT_SIGNING_KEY, TestApp } from './support/app';
import { newClinic, newPatient, TestClinic } from './support/factories';
import { asOwner, tamper } from './support/owner';

// These tests start the CLI as a child process (ts-node loads the whole app): generous on a busy machine.
jest.setTimeout(180_000);

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

async function node(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], { cwd: root, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const cli = async (args: string[], env: Record<string, string> = {}) => {
  const r = await node(['src/cli.ts', 'audit:verify', ...args], env);
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : null };
};

const cutEvents = (clinicId: string, fromSeq: string | number) =>
  tamper('audit_events', 'audit_events_no_update_delete', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2`, [clinicId, String(fromSeq)]);
/** What a careful superuser adds to a cut: the recorded head set back to the new end. */
const setHeadBack = (clinicId: string) =>
  tamper(
    'audit_chain_heads',
    'audit_chain_heads_forward_only',
    `UPDATE audit_chain_heads h SET seq = e.clinic_seq, hash = e.hash
       FROM (SELECT clinic_seq, hash FROM audit_events WHERE clinic_id = $1 ORDER BY clinic_seq DESC LIMIT 1) e WHERE h.chain_id = $1`,
    [clinicId],
  );

describe('audit verification that cannot be fooled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const verify = async (c: TestClinic) => (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
  const lastSeq = async (clinicId: string) => Number((await t.db.query(`SELECT max(clinic_seq) AS m FROM audit_events WHERE clinic_id = $1`, [clinicId]))[0].m);

  it('newest events (an erasure among them) deleted under a checkpoint: truncated, with the checkpoint and the real head, not an untouched event', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { familyName: 'Before' });
    await t.http.patch(`/v1/patients/${p.id}`).set(c.admin.auth).send({ familyName: 'After' }).expect(200);
    await newPatient(t, c);
    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'request' }).expect(200);
    const [erasure] = await t.db.query(`SELECT clinic_seq::int AS seq FROM audit_events WHERE clinic_id = $1 AND action = 'patient.erased'`, [c.clinic.id]);
    await newPatient(t, c);
    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.admin.auth).expect(201)).body;
    await newPatient(t, c);
    expect(await verify(c)).toMatchObject({ ok: true, status: 'ok' });
    const before = await lastSeq(c.clinic.id);

    await cutEvents(c.clinic.id, erasure.seq);
    const cutTo = String(erasure.seq - 1);
    // The recorded head still says where the chain ended.
    expect(await verify(c)).toMatchObject({
      ok: false, status: 'truncated', reason: 'truncated', brokenAt: String(erasure.seq), headSeq: cutTo, count: erasure.seq - 1,
      recordedHead: { seq: String(before) },
    });
    // With the head set back too, the checkpoint shows the cut.
    await setHeadBack(c.clinic.id);
    const report = await verify(c);
    expect(report).toMatchObject({
      ok: false, status: 'truncated', reason: 'truncated', brokenAt: String(erasure.seq), headSeq: cutTo, count: erasure.seq - 1,
      checkpoint: { id: cp.id, clinicSeq: cp.clinicSeq }, recordedHead: { seq: cutTo },
    });
    const [{ hash }] = await t.db.query(`SELECT hash FROM audit_events WHERE clinic_id = $1 AND clinic_seq = $2`, [c.clinic.id, cutTo]);
    expect(report.headHash).toBe(hash);

    // Nothing signs the shorter head: the API answers 409, the scheduled pass logs and skips the clinic.
    const refused = await t.http.post('/v1/audit-events/checkpoints').set(c.admin.auth).expect(409);
    expect(refused.body.message).toMatch(/truncated/);
    const checkpoints = t.get(AuditCheckpointsService);
    const logged: string[] = [];
    const logger = (checkpoints as unknown as { logger: { error: (m: string) => void } }).logger;
    const original = logger.error;
    logger.error = (m: string) => logged.push(m);
    try {
      expect((await checkpoints.checkpointMovedClinics()).map((x) => x.clinicId)).not.toContain(c.clinic.id);
    } finally {
      logger.error = original;
    }
    expect(logged.some((m) => m.includes(c.clinic.id) && /truncated/.test(m))).toBe(true);
    expect(await verify(c)).toMatchObject({ status: 'truncated', checkpoint: { id: cp.id } });
  });

  it('refuses to sign a head lower than an earlier checkpoint, even when what is left verifies', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    const checkpoints = t.get(AuditCheckpointsService);
    const cp = await checkpoints.create(c.clinic.id, { type: 'system', id: null });
    await cutEvents(c.clinic.id, cp.clinicSeq);
    await setHeadBack(c.clinic.id);
    await expect(checkpoints.create(c.clinic.id, { type: 'system', id: null })).rejects.toMatchObject({ status: 409 });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_checkpoints WHERE clinic_id = $1`, [c.clinic.id]))[0].n).toBe(1);
  });

  it('checks every stored checkpoint: a chain rewritten consistently after the first one fails at that checkpoint', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    const checkpoints = t.get(AuditCheckpointsService);
    const first = await checkpoints.create(c.clinic.id, { type: 'system', id: null });
    await newPatient(t, c);
    const second = await checkpoints.create(c.clinic.id, { type: 'system', id: null });
    expect(await verify(c)).toMatchObject({ ok: true, checkpointsChecked: 2, checkpoint: { id: second.id } });
    // A superuser changes event 2 and recomputes every hash after it (and the recorded head).
    await asOwner(async (o) => {
      await o.query('BEGIN');
      await o.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
      await o.query(`ALTER TABLE audit_chain_heads DISABLE TRIGGER audit_chain_heads_forward_only`);
      const { rows } = await o.query(`SELECT * FROM audit_events WHERE clinic_id = $1 ORDER BY clinic_seq`, [c.clinic.id]);
      let prev = rows[0].hash;
      for (const row of rows.slice(1)) {
        if (row.clinic_seq === '2') row.data = { ...row.data, rewritten: true };
        const hash = eventHash(c.clinic.id, prev, row);
        await o.query(`UPDATE audit_events SET data = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [row.seq, row.data, prev, hash]);
        prev = hash;
      }
      await o.query(`UPDATE audit_chain_heads SET hash = $2 WHERE chain_id = $1`, [c.clinic.id, prev]);
      await o.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
      await o.query(`ALTER TABLE audit_chain_heads ENABLE TRIGGER audit_chain_heads_forward_only`);
      await o.query('COMMIT');
    });
    expect(await verify(c)).toMatchObject({ ok: false, status: 'broken', reason: 'checkpoint mismatch', brokenAt: first.clinicSeq, checkpoint: { id: first.id } });
  });

  it('an event deleted from the middle: missing, with the count and head of the whole chain', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    await newPatient(t, c);
    const last = await lastSeq(c.clinic.id);
    await tamper('audit_events', 'audit_events_no_update_delete', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq = 3`, [c.clinic.id]);
    expect(await verify(c)).toMatchObject({ ok: false, status: 'broken', reason: 'missing', brokenAt: '3', count: last - 1, headSeq: String(last) });
  });

  it('without a trusted key verification cannot vouch for the end of the chain: unverifiable_truncation, not ok', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    await t.get(AuditCheckpointsService).create(c.clinic.id, { type: 'system', id: null });
    expect(await t.get(ChainVerifier).verify(c.clinic.id, undefined, { trustedKey: null })).toMatchObject({ ok: false, status: 'unverifiable_truncation' });
    // The CLI: no AUDIT_SIGNING_KEY, no --public-key -> exit 3; with the key -> exit 0.
    expect(await cli(['--clinic', c.clinic.id])).toMatchObject({ code: 3, report: { ok: false, status: 'unverifiable_truncation', checkpointSignedByTrustedKey: null } });
    expect(await cli(['--clinic', c.clinic.id], { AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY })).toMatchObject({ code: 0, report: { ok: true, status: 'ok' } });
    const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'aftercare-key-')), 'public.pem');
    writeFileSync(keyFile, TEST_AUDIT_PUBLIC_KEY);
    expect(await cli(['--clinic', c.clinic.id, '--public-key', keyFile])).toMatchObject({ code: 0, report: { ok: true, checkpointSignedByTrustedKey: true } });
    // A cut is still named as one (exit 1), key or not: the recorded head shows it.
    await cutEvents(c.clinic.id, 2);
    expect(await cli(['--clinic', c.clinic.id])).toMatchObject({ code: 1, report: { status: 'truncated' } });
  }, 600_000);

  it("the CLI's context on the embedded database trusts the key the service keeps in DATA_DIR", async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    await t.get(AuditCheckpointsService).create(c.clinic.id, { type: 'system', id: null });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-data-'));
    writeFileSync(path.join(dataDir, 'audit-signing-key.pem'), TEST_AUDIT_SIGNING_KEY);
    expect(configuredSigningKey({ ...t.config, auditSigningKey: undefined, embeddedDatabase: true, dataDir })?.publicKeyPem).toBe(TEST_AUDIT_PUBLIC_KEY);
    expect(configuredSigningKey({ ...t.config, auditSigningKey: undefined, embeddedDatabase: false, dataDir })).toBeNull();
    // What audit:verify builds on the embedded database (no AUDIT_SIGNING_KEY in this environment).
    const ctx = await createCliContext({ migrationsRun: false, embeddedDatabase: true, dataDir, auditSigningKey: undefined, auditCheckpointIntervalMs: 0 });
    try {
      expect(await ctx.get(AuditCheckpointsService).verifyTrusted(c.clinic.id)).toMatchObject({ ok: true, status: 'ok', checkpointSignedByTrustedKey: true });
    } finally {
      await ctx.close();
    }
  });

  it('with DATABASE_URL and no AUDIT_SIGNING_KEY the service refuses to start, saying why', async () => {
    expect(() => requireAuditSigningKey({ databaseUrl: 'postgres://x@localhost/db' })).toThrow(ConfigError);
    expect(() => requireAuditSigningKey({ databaseUrl: 'postgres://x@localhost/db', auditSigningKey: TEST_AUDIT_SIGNING_KEY })).not.toThrow();
    expect(() => requireAuditSigningKey({})).not.toThrow();
    const started = await node(['src/main.ts'], { DATABASE_URL: process.env.DATABASE_URL!, AUDIT_SIGNING_KEY: '', PORT: '0' });
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/AUDIT_SIGNING_KEY is required with DATABASE_URL/);
  }, 300_000);

  it('verification pages read events and payloads by index, whatever the statistics say', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    const plans = await asOwner(async (o) => {
      await o.query('BEGIN');
      await o.query('SET LOCAL enable_seqscan = off');
      await o.query('SET LOCAL enable_bitmapscan = off');
      const ev = await o.query(
        `EXPLAIN SELECT seq, clinic_seq, data, hash FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2 ORDER BY clinic_id, clinic_seq LIMIT 5000`,
        [c.clinic.id, '1'],
      );
      const pl = await o.query(`EXPLAIN SELECT event_seq, digest, payload, redacted_at FROM audit_event_payloads WHERE event_seq = ANY($1::bigint[])`, [['1', '2']]);
      await o.query('ROLLBACK');
      return [ev, pl].map((r) => r.rows.map((x) => x['QUERY PLAN']).join('\n'));
    });
    expect(plans[0]).toMatch(/Index Scan using audit_events_/);
    expect(plans[0]).not.toMatch(/Sort|Seq Scan/);
    expect(plans[1]).toMatch(/Index Scan using audit_event_payloads_pkey/);
  });
});
