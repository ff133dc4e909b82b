/**
 * The one launcher of service instances for benches and the chaos run, as child processes of the
 * real service (`src/main.ts`): compiled first (`tsc -p tsconfig.build.json` into dist/, as `npm
 * run build:api` does) so that what runs, and what its memory says, is the service as deployed,
 * without ts-node's compiler in the heap (BENCH_TS_NODE=1, or `tsNode: true`, runs the sources
 * through ts-node instead). Each instance is waited for until /health/ready answers; its memory
 * is read from /proc/<pid>/status (VmRSS, VmHWM) and its heap from its own /metrics.
 * BENCH_CPU_PROF=<dir> starts every instance with `--cpu-prof` (a .cpuprofile in <dir> at exit).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const LOGS = path.join(os.tmpdir(), 'aftercare-bench-instances');
const TS_NODE = process.env.BENCH_TS_NODE === '1';

export interface ServiceInstance {
  name: string;
  port: number;
  child: ChildProcess;
  metricsToken: string;
  log: string;
}

/** Compiles the service into dist/ (skipped with BENCH_TS_NODE=1); returns how it will run. */
export function buildService(): string {
  if (TS_NODE) return 'node -r ts-node/register/transpile-only src/main.ts';
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  return 'node dist/src/main.js (compiled by tsc -p tsconfig.build.json)';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Spawns one service process on `port` with exactly `env` (plus PORT), its output to `log`
 * (appended when `append`): compiled dist/ unless `tsNode` (default: BENCH_TS_NODE=1).
 */
export function spawnService(opts: { env: NodeJS.ProcessEnv; port: number; log: string; append?: boolean; tsNode?: boolean }): ChildProcess {
  mkdirSync(path.dirname(opts.log), { recursive: true });
  const out = openSync(opts.log, opts.append ? 'a' : 'w');
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const main = (opts.tsNode ?? TS_NODE) ? ['-r', 'ts-node/register/transpile-only', 'src/main.ts'] : ['dist/src/main.js'];
  return spawn(process.execPath, [...profile, ...main], { cwd: ROOT, env: { ...opts.env, PORT: String(opts.port) }, stdio: ['ignore', out, out] });
}

/** Starts `name` with `env` (over a minimal environment: PATH, HOME) on a free port; logs go to LOGS/<name>.log. */
export async function startInstance(name: string, env: Record<string, string>): Promise<ServiceInstance> {
  const port = await freePort();
  const metricsToken = randomBytes(16).toString('hex');
  const log = path.join(LOGS, `${name}.log`);
  const child = spawnService({
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_TRANSPILE_ONLY: 'true', ...env, HOST: '127.0.0.1', METRICS_TOKEN: metricsToken },
    port,
    log,
  });
  return { name, port, child, metricsToken, log };
}

/** Until the process on `port` answers /health/ready with 200 (ms waited); throws when `child` exits first or after `timeoutMs`. */
export async function untilReady(target: { name: string; port: number; child?: ChildProcess; log: string }, timeoutMs = 300_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const code = target.child?.exitCode;
    if (code !== null && code !== undefined) throw new Error(`${target.name} exited (${code}); see ${target.log}`);
    try {
      const r = await fetch(`http://127.0.0.1:${target.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return Date.now() - t0;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${target.name} not ready after ${(timeoutMs / 1000).toFixed(1)} s; see ${target.log}`);
}

export async function waitReady(i: ServiceInstance, timeoutMs = 300_000): Promise<void> {
  await untilReady(i, timeoutMs);
}

/** `signal` (SIGTERM: the service drains and exits), SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 30_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** SIGTERM (the service drains and exits), SIGKILL after `graceMs`. */
export function stopInstance(i: ServiceInstance, graceMs = 30_000): Promise<void> {
  return stopChild(i.child, graceMs);
}

/** VmRSS and VmHWM (peak RSS since start) of a process, in bytes; null once it is gone. */
export function processMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** The instance's V8 heap in use, from its /metrics (prom-client's default metrics); null when unreadable. */
export async function heapUsed(i: ServiceInstance): Promise<number | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${i.port}/metrics`, { headers: { Authorization: `Bearer ${i.metricsToken}` }, signal: AbortSignal.timeout(5000) });
    if (!r.ok) return null;
    const m = /^aftercare_nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(await r.text());
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
