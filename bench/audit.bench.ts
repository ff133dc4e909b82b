/**
 * Audit chain cost against history: the cost of one chained transaction (an audited read in a
 * transaction of its own, and a patient created with its event) with about 10k audit events in
 * the database, and again with BENCH_AUDIT_EVENTS (default 1M; 5M for the full figure), seeded
 * with generate_series across filler clinics. Then verification speed over one clinic's chain
 * of BENCH_VERIFY_EVENTS real, hash-chained events (default 200k). Uses DATABASE_URL (its owner
 * login), else an embedded PostgreSQL in a temp folder.
 *
 *   npm run bench:audit
 *   BENCH_AUDIT_EVENTS=5000000 npm run bench:audit
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_audit npm run bench:audit
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import os from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/audit/audit.service';
import { chainHash, payloadDigestOf } from '../src/audit/chain-hash';
import { ChainVerifier } from '../src/audit/chain-verifier.service';
import { ClinicsService } from '../src/clinics/clinics.service';
import { TestClock } from '../test/support/test-clock';
import { PatientsService } from '../src/patients/patients.service';
import { benchConfig, benchDatabase } from './support/database';

const SMALL = Number(process.env.BENCH_AUDIT_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const VERIFY = Number(process.env.BENCH_VERIFY_EVENTS ?? 200_000);
const FILLER_CLINICS = Number(process.env.BENCH_AUDIT_CLINICS ?? 200);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 300);
const GENESIS = '0'.repeat(64);

const ms = (x: number) => x.toFixed(2);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const { url, stop } = await benchDatabase('aftercare-bench-audit-');

  const owner = new Client({ connectionString: url });
  await owner.connect();
  const [{ v: pgVersion }] = (await owner.query(`SHOW server_version`)).rows.map((r) => ({ v: r.server_version }));
  const count = async () => Number((await owner.query(`SELECT count(*) AS n FROM audit_events`)).rows[0].n);

  const config = benchConfig(url, { DEV_OUTBOX: 'true' });
  const clock = new TestClock('2026-03-02T08:00:00Z');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  moduleRef.useLogger(['error']);
  const app: INestApplicationContext = await moduleRef.init();
  const audit = app.get(AuditService);
  const patients = app.get(PatientsService);
  const ds = app.get(DataSource);

  const stamp = Date.now();
  const { clinic } = await app.get(ClinicsService).createClinicWithAdmin({
    name: 'Bench audit clinic',
    timeZone: 'Europe/Madrid',
    adminEmail: `bench-audit-${stamp}@example.test`,
    adminPassword: 'bench-password-123',
  });
  const actor = { type: 'integration' as const, id: 'bench' };

  // Filler clinics whose events make up the history (not hash-chained: only their volume matters here).
  const fillers: string[] = (
    await owner.query(`INSERT INTO clinics (name, time_zone) SELECT 'Bench filler ' || g, 'Europe/Madrid' FROM generate_series(1, $1::int) g RETURNING id`, [FILLER_CLINICS])
  ).rows.map((r) => r.id);
  let perFiller = 0;
  async function growTo(total: number) {
    const now = await count();
    const want = Math.max(0, total - now);
    const add = Math.ceil(want / fillers.length);
    if (!add) return;
    // In slices of clinics, so each statement stays a few hundred thousand rows.
    const slice = Math.max(1, Math.floor(250_000 / add));
    for (let i = 0; i < fillers.length; i += slice) {
      await owner.query(
        `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, action, entity_type, entity_id, data, prev_hash, hash)
         SELECT c.id, s, now(), 'system', 'bench.filler', 'bench', NULL, '{}', md5(c.id::text || (s - 1)), md5(c.id::text || s)
           FROM unnest($1::uuid[]) AS c(id), generate_series($2::bigint, $3::bigint) AS s`,
        [fillers.slice(i, i + slice), perFiller + 1, perFiller + add],
      );
    }
    perFiller += add;
    await owner.query(
      `INSERT INTO audit_chain_heads (chain_id, clinic_id, seq, hash)
       SELECT id, id, $2::bigint, md5(id::text || $2::bigint) FROM unnest($1::uuid[]) AS c(id)
       ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
      [fillers, perFiller],
    );
    await owner.query(`ANALYZE audit_events`);
  }

  /** The old head lookup (before audit_chain_heads), timed once for reference. */
  async function oldLookupMs(): Promise<number> {
    const t0 = performance.now();
    await owner.query(`SELECT clinic_seq, hash FROM audit_events WHERE clinic_id IS NOT DISTINCT FROM $1 ORDER BY clinic_seq DESC LIMIT 1`, [clinic.id]);
    return performance.now() - t0;
  }

  async function measure(label: string) {
    const events = await count();
    for (let i = 0; i < 100; i++) await audit.recordAccess({ clinicId: clinic.id, actor, action: 'bench.warmup', entityType: 'bench' });
    const reads: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await audit.recordAccess({ clinicId: clinic.id, actor, action: 'bench.read', entityType: 'bench', entityId: null });
      reads.push(performance.now() - t0);
    }
    const creates: number[] = [];
    for (let i = 0; i < ROUNDS / 3; i++) {
      const t0 = performance.now();
      await patients.create(clinic.id, actor, { givenName: 'A', familyName: `${label}-${i}`, email: `a-${label}-${i}-${stamp}@example.test`, emailConsent: true, preferredChannel: 'email' });
      creates.push(performance.now() - t0);
    }
    const old = await oldLookupMs();
    return { label, events, reads, creates, old };
  }

  await growTo(SMALL);
  const small = await measure('small');
  await growTo(LARGE);
  const large = await measure('large');

  // Hot-path plans, as the service would run them.
  const plan = async (sql: string, params: unknown[]) => (await owner.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join(' / ');
  const headPlan = await plan(`SELECT seq, hash FROM audit_chain_heads WHERE chain_id = $1 FOR NO KEY UPDATE`, [clinic.id]);

  // Verification: one clinic's chain of VERIFY real events (every tenth with a payload), built
  // here with the service's own hash function, verified before any ANALYZE of the new rows.
  const { clinic: vc } = await app.get(ClinicsService).createClinicWithAdmin({
    name: 'Bench verify clinic',
    timeZone: 'Europe/Madrid',
    adminEmail: `bench-verify-${stamp}@example.test`,
    adminPassword: 'bench-password-123',
  });
  const [vh] = (await owner.query(`SELECT seq, hash FROM audit_chain_heads WHERE chain_id = $1`, [vc.id])).rows;
  let prev: string = vh?.hash ?? GENESIS;
  let seq = BigInt(vh?.seq ?? 0);
  const t0Seed = performance.now();
  for (let done = 0; done < VERIFY; ) {
    const n = Math.min(2000, VERIFY - done);
    const values: unknown[] = [];
    const rows: string[] = [];
    const payloads: Array<{ clinicSeq: string; digest: string; payload: unknown }> = [];
    for (let i = 0; i < n; i++) {
      seq += 1n;
      const occurredAt = new Date(Date.parse('2026-03-02T08:00:00Z') + Number(seq) * 1000).toISOString();
      const payload = Number(seq) % 10 === 0 ? { changes: { phone: { from: null, to: `+3460000${seq}` } } } : null;
      const payloadDigest = payload ? payloadDigestOf(payload) : null;
      const data = { n: Number(seq) };
      const hash = chainHash(prev, {
        clinicId: vc.id, clinicSeq: String(seq), occurredAt, actorType: 'system', actorId: null, action: 'bench.event', entityType: 'bench', entityId: null, data,
        ...(payloadDigest ? { payloadDigest } : {}),
      });
      const b = values.length;
      rows.push(`(${Array.from({ length: 11 }, (_, k) => `$${b + k + 1}`).join(', ')})`);
      values.push(vc.id, String(seq), occurredAt, 'system', 'bench.event', 'bench', JSON.stringify(data), prev, hash, payloadDigest, null);
      if (payload) payloads.push({ clinicSeq: String(seq), digest: payloadDigest!, payload });
      prev = hash;
    }
    const inserted = (
      await owner.query(
        `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, action, entity_type, data, prev_hash, hash, payload_digest, actor_id) VALUES ${rows.join(', ')} RETURNING seq, clinic_seq`,
        values,
      )
    ).rows;
    if (payloads.length) {
      const bySeq = new Map(inserted.map((r) => [String(r.clinic_seq), r.seq]));
      const pv: unknown[] = [];
      const pr = payloads.map((p, k) => {
        pv.push(bySeq.get(p.clinicSeq), vc.id, p.digest, JSON.stringify(p.payload));
        return `($${4 * k + 1}, $${4 * k + 2}, $${4 * k + 3}, $${4 * k + 4})`;
      });
      await owner.query(`INSERT INTO audit_event_payloads (event_seq, clinic_id, digest, payload) VALUES ${pr.join(', ')}`, pv);
    }
    done += n;
  }
  await owner.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE chain_id = $1`, [vc.id, String(seq), prev]);
  const seedS = (performance.now() - t0Seed) / 1000;
  const t0Verify = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await app.get(ChainVerifier).verify(vc.id);
  const verifyS = (performance.now() - t0Verify) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const verifyCpuS = (cpuUsed.user + cpuUsed.system) / 1e6;

  const line = (r: Awaited<ReturnType<typeof measure>>) =>
    `${String(r.events).padStart(9)} events: chained read ${ms(mean(r.reads))} ms mean (p50 ${ms(pct(r.reads, 50))}, p95 ${ms(pct(r.reads, 95))}); patient created ${ms(mean(r.creates))} ms mean (p95 ${ms(pct(r.creates, 95))}); old head lookup ${ms(r.old)} ms`;
  console.log(
    [
      `audit bench: PostgreSQL ${pgVersion} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}), ${os.cpus().length} cores, Node ${process.version}, ${FILLER_CLINICS} filler clinics, ${ROUNDS} chained reads and ${Math.floor(ROUNDS / 3)} patients per size, one at a time`,
      line(small),
      line(large),
      `ratio large/small: chained read ${(mean(large.reads) / mean(small.reads)).toFixed(2)}, patient created ${(mean(large.creates) / mean(small.creates)).toFixed(2)} (old head lookup alone ${(large.old / small.old).toFixed(1)}x)`,
      `head lock plan: ${headPlan}`,
      `verify: ${report.count} events in ${verifyS.toFixed(2)} s = ${Math.round(report.count / verifyS)} events/s wall, ${Math.round(report.count / verifyCpuS)} per second of Node CPU (${verifyCpuS.toFixed(2)} s) (ok: ${report.ok}${report.reason ? `, ${report.reason}` : ''}); chain seeded in ${seedS.toFixed(1)} s`,
    ].join('\n'),
  );
  await app.close();
  await owner.end();
  await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
