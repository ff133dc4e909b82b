import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ChainVerifier } from '../src/audit/chain-verifier.service';
import { AuditCheckpointsService } from '../src/audit/checkpoints.service';
import { signCheckpoint } from '../src/audit/signing-key';
import { createTestApp, TEST_AUDIT_PUBLIC_KEY, TEST_AUDIT_SIGNING_KEY, TestApp } from './support/app';
import { asOwner, tamper } from './support/owner';
import { newClinic, newPatient, TestClinic } from './support/factories';

// These tests start the CLI as a child process (ts-node loads the whole app): generous on a busy machine.
jest.setTimeout(180_000);

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

type Exported = { clinicId: string; clinicSeq: string; headHash: string; createdAt: string; signature: string; publicKey: string };
const exported = (cp: Exported & { id?: string }): Exported => {
  const { id: _id, ...rest } = cp;
  return rest;
};

/** As a superuser who disables the append-only trigger: what the database refuses to the service. */
const asSuperuser = (table: string, sql: string, params: unknown[]) => tamper(table, `${table}_no_update_delete`, sql, params);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; report: any }> {
  try {
    const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'audit:verify', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, report: JSON.parse(stdout) };
  } catch (err: any) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, report: err.stdout ? JSON.parse(err.stdout) : null };
  }
}

describe('signed audit checkpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function clinicWithEvents(): Promise<TestClinic> {
    const c = await newClinic(t);
    await newPatient(t, c);
    await newPatient(t, c);
    return c;
  }

  it('signs the chain head; the export verifies with crypto.verify outside the service', async () => {
    const c = await clinicWithEvents();
    const before = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(before).toMatchObject({ ok: true, checkpoint: null, checkpointSignedByConfiguredKey: null });

    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.compliance.auth).expect(201)).body;
    expect(cp).toMatchObject({ clinicId: c.clinic.id, clinicSeq: before.headSeq, headHash: before.headHash, publicKey: TEST_AUDIT_PUBLIC_KEY });

    const checked = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(checked).toMatchObject({ ok: true, checkpoint: { id: cp.id }, checkpointSignedByConfiguredKey: true });

    // What an auditor does with the exported JSON: no database, no project code.
    const file = exported(cp);
    const data = JSON.stringify({ clinicId: file.clinicId, clinicSeq: file.clinicSeq, createdAt: file.createdAt, headHash: file.headHash });
    expect(verify(null, Buffer.from(data), createPublicKey(file.publicKey), Buffer.from(file.signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(data.replace(file.headHash, 'f'.repeat(64))), createPublicKey(file.publicKey), Buffer.from(file.signature, 'base64'))).toBe(false);

    // The checkpoint's own event comes right after the head it signed.
    const events = (await t.http.get('/v1/audit-events?action=audit.checkpoint_created').set(c.admin.auth).expect(200)).body.items;
    expect(events).toEqual([expect.objectContaining({ clinicSeq: String(BigInt(cp.clinicSeq) + 1n), entityId: cp.id, actorId: c.compliance.id })]);

    const list = (await t.http.get('/v1/audit-events/checkpoints').set(c.admin.auth).expect(200)).body;
    expect(list).toMatchObject({ total: 1, items: [cp] });

    const after = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(after).toMatchObject({ ok: true, checkpoint: { id: cp.id, clinicSeq: cp.clinicSeq, headHash: cp.headHash } });
  });

  it('reports newest events cut off by a superuser as truncated against the latest checkpoint', async () => {
    const c = await clinicWithEvents();
    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.admin.auth).expect(201)).body;
    const cut = BigInt(cp.clinicSeq) - 1n;
    await asSuperuser('audit_events', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2`, [c.clinic.id, String(cut)]);

    const report = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(report).toMatchObject({ ok: false, reason: 'truncated', brokenAt: String(cut), headSeq: String(cut - 1n), checkpoint: { id: cp.id } });
    // Without a checkpoint the shorter chain would look whole: that is what checkpoints are for.
  });

  it('reports an altered checkpoint signature, exported or stored', async () => {
    const c = await clinicWithEvents();
    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.admin.auth).expect(201)).body;
    const sig = Buffer.from(cp.signature, 'base64');
    sig[0] ^= 0xff;
    const forged = { ...exported(cp), signature: sig.toString('base64') };
    expect(await t.get(ChainVerifier).verify(c.clinic.id, forged)).toMatchObject({ ok: false, reason: 'checkpoint signature invalid' });
    // A signed checkpoint whose fields were changed is caught the same way.
    expect(await t.get(ChainVerifier).verify(c.clinic.id, { ...exported(cp), clinicSeq: '1' })).toMatchObject({ ok: false, reason: 'checkpoint signature invalid' });
    expect(await t.get(ChainVerifier).verify(c.clinic.id, exported(cp))).toMatchObject({ ok: true });

    await asSuperuser('audit_checkpoints', `UPDATE audit_checkpoints SET signature = $2 WHERE id = $1`, [cp.id, forged.signature]);
    const report = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(report).toMatchObject({ ok: false, reason: 'checkpoint signature invalid', checkpoint: { id: cp.id } });
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on checkpoints', async () => {
    const c = await clinicWithEvents();
    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.admin.auth).expect(201)).body;
    await asOwner(async (client) => {
      await expect(client.query(`UPDATE audit_checkpoints SET head_hash = 'x' WHERE id = $1`, [cp.id])).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_checkpoints WHERE id = $1`, [cp.id])).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_checkpoints`)).rejects.toThrow(/append-only/);
    });
  });

  it('practitioners get 403 on the checkpoint routes', async () => {
    const c = await newClinic(t);
    await t.http.post('/v1/audit-events/checkpoints').set(c.practitioner.auth).expect(403);
    await t.http.get('/v1/audit-events/checkpoints').set(c.practitioner.auth).expect(403);
  });

  it('on schedule, checkpoints each clinic whose chain moved since its last checkpoint, and only those', async () => {
    const c = await clinicWithEvents();
    const checkpoints = t.get(AuditCheckpointsService);
    const first = await checkpoints.checkpointMovedClinics();
    expect(first.map((x) => x.clinicId)).toContain(c.clinic.id);
    // Its own checkpoint event is not a move.
    expect((await checkpoints.checkpointMovedClinics()).map((x) => x.clinicId)).not.toContain(c.clinic.id);
    await newPatient(t, c);
    const moved = (await checkpoints.checkpointMovedClinics()).filter((x) => x.clinicId === c.clinic.id);
    expect(moved).toHaveLength(1);
    expect((await t.get(ChainVerifier).verify(c.clinic.id)).checkpoint).toMatchObject({ id: moved[0].id });
  });

  it('the CLI exits 0 on a good chain (with the trusted key) and 1 on a truncated one, with an exported checkpoint file or the stored one', async () => {
    const c = await clinicWithEvents();
    const cp = (await t.http.post('/v1/audit-events/checkpoints').set(c.admin.auth).expect(201)).body;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aftercare-cp-')), 'checkpoint.json');
    writeFileSync(file, JSON.stringify(exported(cp)));

    // The configured key (as the service has it) is what the CLI trusts; without one it cannot vouch (exit 3, see audit-verify).
    const withKey = { AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY };
    const good = await cli(['--clinic', c.clinic.id, '--checkpoint', file], withKey);
    expect(good).toMatchObject({ code: 0, report: { ok: true, checkpoint: { clinicSeq: cp.clinicSeq } } });
    // An auditor's read-only role verifies too: the command reads, it runs no migrations.
    const asAuditor = await cli(['--clinic', c.clinic.id, '--checkpoint', file], { ...withKey, DATABASE_ROLE: 'aftercare_auditor' });
    expect(asAuditor).toMatchObject({ code: 0, report: { ok: true } });

    await asSuperuser('audit_events', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq >= $2`, [c.clinic.id, cp.clinicSeq]);
    const bad = await cli(['--clinic', c.clinic.id, '--checkpoint', file], withKey);
    expect(bad).toMatchObject({ code: 1, report: { ok: false, reason: 'truncated', brokenAt: cp.clinicSeq } });
    const stored = await cli(['--clinic', c.clinic.id], withKey);
    expect(stored).toMatchObject({ code: 1, report: { ok: false, reason: 'truncated', checkpoint: { id: cp.id } } });
  }, 600_000);

  it('a chain cut short under a newer checkpoint signed with someone else\'s key fails, in the API and in the CLI', async () => {
    const c = await clinicWithEvents();
    const checkpoints = t.get(AuditCheckpointsService);
    await checkpoints.create(c.clinic.id, { type: 'system', id: null });
    await newPatient(t, c);
    const genuine = await checkpoints.create(c.clinic.id, { type: 'system', id: null });
    // Cut off everything after seq 3, and sign a checkpoint at 3 with a key of one's own.
    await asSuperuser('audit_events', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq > 3`, [c.clinic.id]);
    const [row] = await t.db.query(`SELECT hash FROM audit_events WHERE clinic_id = $1 AND clinic_seq = 3`, [c.clinic.id]);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forged = signCheckpoint(
      { clinicId: c.clinic.id, clinicSeq: '3', headHash: row.hash, createdAt: new Date(Date.parse(genuine.createdAt) + 1000).toISOString() },
      { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    );
    await asOwner((o) =>
      o.query(`INSERT INTO audit_checkpoints (clinic_id, clinic_seq, head_hash, created_at, signature, public_key) VALUES ($1, $2, $3, $4, $5, $6)`, [
        c.clinic.id, forged.clinicSeq, forged.headHash, forged.createdAt, forged.signature, forged.publicKey,
      ]),
    );
    // The genuine checkpoint (signed by the trusted key) names the cut; the forged one vouches for nothing.
    const report = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(report).toMatchObject({ ok: false, status: 'truncated', reason: 'truncated', brokenAt: '4', headSeq: '3', checkpoint: { clinicSeq: genuine.clinicSeq } });
    // An auditor holding the service's public key gets the same answer from the CLI, with the stored checkpoints or the genuine export.
    const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'aftercare-key-')), 'public.pem');
    writeFileSync(keyFile, TEST_AUDIT_PUBLIC_KEY);
    expect(await cli(['--clinic', c.clinic.id, '--public-key', keyFile])).toMatchObject({ code: 1, report: { ok: false, reason: 'truncated' } });
    const genuineFile = path.join(path.dirname(keyFile), 'genuine.json');
    writeFileSync(genuineFile, JSON.stringify(genuine));
    expect(await cli(['--clinic', c.clinic.id, '--checkpoint', genuineFile, '--public-key', keyFile])).toMatchObject({ code: 1, report: { ok: false, reason: 'truncated' } });
  }, 600_000);

  it("a newest checkpoint signed with someone else's key over a whole chain fails: not signed by a trusted key", async () => {
    const c = await clinicWithEvents();
    const genuine = await t.get(AuditCheckpointsService).create(c.clinic.id, { type: 'system', id: null });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forged = signCheckpoint(
      { clinicId: c.clinic.id, clinicSeq: genuine.clinicSeq, headHash: genuine.headHash, createdAt: new Date(Date.parse(genuine.createdAt) + 1000).toISOString() },
      { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    );
    await asOwner((o) =>
      o.query(`INSERT INTO audit_checkpoints (clinic_id, clinic_seq, head_hash, created_at, signature, public_key) VALUES ($1, $2, $3, $4, $5, $6)`, [
        c.clinic.id, forged.clinicSeq, forged.headHash, forged.createdAt, forged.signature, forged.publicKey,
      ]),
    );
    const report = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(report).toMatchObject({ ok: false, status: 'broken', reason: 'checkpoint not signed by a trusted key', checkpointSignedByConfiguredKey: false, checkpointsChecked: 1 });
  });

  it('100 concurrent writers on one clinic leave one unbroken chain', async () => {
    const c = await newClinic(t);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.http.post('/v1/patients').set(c.practitioner.auth).send({ givenName: 'C', familyName: String(i), email: `c${i}-${c.clinic.id.slice(0, 8)}@example.test`, emailConsent: true }),
      ),
    );
    expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
    const report = (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;
    expect(report.ok).toBe(true);
    const [{ n, max }] = await t.db.query(`SELECT count(*)::int AS n, max(clinic_seq)::int AS max FROM audit_events WHERE clinic_id = $1`, [c.clinic.id]);
    expect(report.count).toBe(n);
    expect(max).toBe(n); // no gaps, no forks: sequence 1..n
  });
});
