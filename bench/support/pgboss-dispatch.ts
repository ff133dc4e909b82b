/**
 * The dispatch bench's pg-boss reference: what a Node team would build with the Postgres job
 * queue people compare us with, doing the same sends on the same server. One job per check-in
 * (the same count, over the same clinics) is enqueued in one queue; `instances` PgBoss instances
 * with `workers` fetch loops each fetch jobs in batches, "send" each at once (nothing leaves the
 * process, as the outbox transport does for Aftercare) and complete the batch. With `audit`, each
 * job also appends one row to its clinic's hash chain (head row locked, event inserted, head moved,
 * in one transaction; `concurrency` at once per batch) before the batch is completed: the least a
 * job queue must add to give Aftercare's guarantee that every send is in the clinic's audit chain.
 */
import { createHash } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { Pool } from 'pg';

export interface PgBossOptions {
  jobs: number;
  clinics: number;
  instances: number;
  workers: number;
  batchSize: number;
  audit: boolean;
  /** Audit transactions in flight per batch (as DISPATCH_CONCURRENCY for Aftercare). */
  concurrency: number;
}

export interface PgBossResult {
  processed: number;
  seconds: number;
  jobsPerSecond: number;
  enqueuePerSecond: number;
  auditRows: number;
  version: string;
}

const QUEUE = 'bench-dispatch';
const SCHEMA = 'pgboss_bench';

/** pg-boss's installed version (from its package.json). */
function pgBossVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('pg-boss/package.json') as { version: string }).version;
}

export async function pgBossDispatch(url: string, o: PgBossOptions): Promise<PgBossResult> {
  const admin = new Pool({ connectionString: url, max: 2 });
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.query(`DROP TABLE IF EXISTS bench_audit_events, bench_chain_heads`);
  if (o.audit) {
    await admin.query(`CREATE TABLE bench_chain_heads (clinic_id int PRIMARY KEY, seq bigint NOT NULL, hash bytea NOT NULL)`);
    await admin.query(
      `CREATE TABLE bench_audit_events (id bigserial PRIMARY KEY, clinic_id int NOT NULL, seq bigint NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL,
         action text NOT NULL, entity_id text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now(), UNIQUE (clinic_id, seq))`,
    );
    await admin.query(`INSERT INTO bench_chain_heads SELECT g, 0, '\\x00'::bytea FROM generate_series(0, $1 - 1) g`, [o.clinics]);
  }
  const bosses: PgBoss[] = [];
  const pools: Pool[] = [];
  try {
    for (let i = 0; i < o.instances; i++) {
      const boss = new PgBoss({ connectionString: url, schema: SCHEMA, max: o.workers + 2, supervise: false, schedule: false });
      boss.on('error', (err) => console.error('pg-boss:', err));
      await boss.start();
      bosses.push(boss);
      if (o.audit) pools.push(new Pool({ connectionString: url, max: o.concurrency * o.workers }));
    }
    await bosses[0].createQueue(QUEUE);

    let t0 = performance.now();
    for (let k = 0; k < o.jobs; k += 1000) {
      const chunk = Array.from({ length: Math.min(1000, o.jobs - k) }, (_, j) => ({ data: { clinic: (k + j) % o.clinics, checkIn: `c${k + j}`, to: `p${k + j}@example.test` } }));
      await bosses[0].insert(QUEUE, chunk);
    }
    const enqueueSeconds = (performance.now() - t0) / 1000;

    let processed = 0;
    const send = async (_job: unknown) => undefined;
    const chained = async (pool: Pool, job: { id: string; data: { clinic: number; checkIn: string } }) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const head = (await c.query(`SELECT seq, hash FROM bench_chain_heads WHERE clinic_id = $1 FOR UPDATE`, [job.data.clinic])).rows[0] as { seq: string; hash: Buffer };
        const seq = BigInt(head.seq) + 1n;
        const data = { jobId: job.id, channel: 'email' };
        const hash = createHash('sha256').update(head.hash).update(`${job.data.clinic}|${seq}|check_in.sent|${job.data.checkIn}|${JSON.stringify(data)}`).digest();
        await c.query(`INSERT INTO bench_audit_events (clinic_id, seq, prev_hash, hash, action, entity_id, data) VALUES ($1, $2, $3, $4, 'check_in.sent', $5, $6)`, [job.data.clinic, String(seq), head.hash, hash, job.data.checkIn, data]);
        await c.query(`UPDATE bench_chain_heads SET seq = $2, hash = $3 WHERE clinic_id = $1`, [job.data.clinic, String(seq), hash]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    };
    t0 = performance.now();
    await Promise.all(
      bosses.flatMap((boss, i) =>
        Array.from({ length: o.workers }, async () => {
          for (;;) {
            const jobs = await boss.fetch<{ clinic: number; checkIn: string }>(QUEUE, { batchSize: o.batchSize });
            if (!jobs.length) return;
            if (o.audit) {
              let next = 0;
              await Promise.all(
                Array.from({ length: Math.min(o.concurrency, jobs.length) }, async () => {
                  while (next < jobs.length) {
                    const job = jobs[next++];
                    await send(job);
                    await chained(pools[i], job);
                  }
                }),
              );
            } else {
              await Promise.all(jobs.map(send));
            }
            await boss.complete(QUEUE, jobs.map((j) => j.id));
            processed += jobs.length;
          }
        }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const auditRows = o.audit ? Number((await admin.query(`SELECT count(*) AS n FROM bench_audit_events`)).rows[0].n) : 0;
    return { processed, seconds, jobsPerSecond: processed / seconds, enqueuePerSecond: o.jobs / enqueueSeconds, auditRows, version: pgBossVersion() };
  } finally {
    await Promise.all(bosses.map((b) => b.stop({ graceful: false, timeout: 5000 }).catch(() => undefined)));
    await Promise.all(pools.map((p) => p.end()));
    await admin.end();
  }
}
