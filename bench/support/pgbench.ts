/**
 * The reference every bench divides by: PostgreSQL's own `pgbench -N` (its "simple update"
 * transaction: an UPDATE, a SELECT and an INSERT, no contended branch/teller rows) against the
 * bench's database, or, when the binary is missing (a fresh machine), the same transaction
 * through `pg` from Node, and the result says which.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { Client } from 'pg';

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  clients: number;
  seconds: number;
  /** What ran: the pgbench command line, or the fallback through pg. */
  how: string;
}

/** `pgbench -N` with `clients` connections for `seconds` on `url`'s database (scale 10: its pgbench_* tables are dropped and created again). */
export async function pgbenchN(url: string, clients: number, seconds: number): Promise<PgbenchResult> {
  const u = new URL(url);
  const env = { ...process.env, PGHOST: u.hostname, PGPORT: u.port || '5432', PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
  const has = spawnSync('pgbench', ['--version'], { encoding: 'utf8' }).status === 0;
  if (has) {
    execFileSync('pgbench', ['-i', '-s', '10', '-q'], { env, stdio: 'pipe' });
    const threads = String(Math.max(1, Math.min(2, clients)));
    const out = execFileSync('pgbench', ['-N', '-c', String(clients), '-j', threads, '-T', String(seconds), '-n'], { env, encoding: 'utf8' });
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
    return { tps, latencyMs, clients, seconds, how: `pgbench -N -c ${clients} -j ${threads} -T ${seconds} (scale 10)` };
  }
  // pgbench's built-in "simple-update" script, through pg from Node: same tables, same statements.
  const c0 = new Client({ connectionString: url });
  await c0.connect();
  const scale = 10;
  await c0.query(`DROP TABLE IF EXISTS pgbench_history, pgbench_tellers, pgbench_branches, pgbench_accounts`);
  await c0.query(`CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))`);
  await c0.query(`CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))`);
  await c0.query(`CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))`);
  await c0.query(`CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))`);
  await c0.query(`INSERT INTO pgbench_branches SELECT g, 0 FROM generate_series(1, $1) g`, [scale]);
  await c0.query(`INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0 FROM generate_series(1, $1) g`, [scale * 10]);
  await c0.query(`INSERT INTO pgbench_accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, $1) g`, [scale * 100_000]);
  await c0.query(`VACUUM ANALYZE pgbench_branches, pgbench_tellers, pgbench_accounts, pgbench_history`);
  await c0.end();
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let done = 0;
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  const rnd = (n: number) => 1 + Math.floor(Math.random() * n);
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        const aid = rnd(scale * 100_000);
        const tid = rnd(scale * 10);
        const bid = rnd(scale);
        const delta = Math.floor(Math.random() * 10001) - 5000;
        const t0 = performance.now();
        await c.query('BEGIN');
        await c.query('UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2', [delta, aid]);
        await c.query('SELECT abalance FROM pgbench_accounts WHERE aid = $1', [aid]);
        await c.query('INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)', [tid, bid, aid, delta]);
        await c.query('END');
        lat.push(performance.now() - t0);
        done++;
      }
    }),
  );
  await Promise.all(conns.map((c) => c.end()));
  return {
    tps: done / seconds,
    latencyMs: lat.reduce((a, b) => a + b, 0) / lat.length,
    clients,
    seconds,
    how: `pgbench binary not found: its -N transaction through pg from Node, ${clients} clients, ${seconds} s (scale 10)`,
  };
}
