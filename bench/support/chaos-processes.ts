/** The chaos run's service instances: started as child processes, waited for until ready, stopped (all of them, also on error). */
import { ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { GRACE_MS, LOGS, READY_TIMEOUT_MS, ROOT, secs, sleep } from './chaos-common';

export interface Instance {
  name: string;
  port: number;
  child?: ChildProcess;
  exited?: Promise<number | null>;
  starts: number;
}
const children = new Set<ChildProcess>();
/** The environment every instance starts with (set once the run knows its database, keys and fakes). */
export const instanceEnv: NodeJS.ProcessEnv = {};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function start(i: Instance): void {
  i.starts++;
  const out = openSync(path.join(LOGS, `${i.name}.log`), 'a');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...instanceEnv, PORT: String(i.port) },
    stdio: ['ignore', out, out],
  });
  children.add(child);
  i.child = child;
  i.exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
}

export async function ready(i: Instance, timeoutMs = READY_TIMEOUT_MS): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (i.child?.exitCode !== null && i.child?.exitCode !== undefined) throw new Error(`${i.name} exited (${i.child.exitCode}); see ${LOGS}/${i.name}.log`);
    try {
      const r = await fetch(`http://127.0.0.1:${i.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return Date.now() - t0;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${i.name} not ready after ${secs(timeoutMs)}; see ${LOGS}/${i.name}.log`);
}

export async function stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const waits = [...children].map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode ? r() : c.once('exit', () => r()))));
  for (const c of children) c.kill(signal);
  const timer = setTimeout(() => [...children].forEach((c) => c.kill('SIGKILL')), GRACE_MS + 20_000);
  await Promise.all(waits);
  clearTimeout(timer);
}
