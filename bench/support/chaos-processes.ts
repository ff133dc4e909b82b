/**
 * The chaos run's service instances, through the one launcher (bench/support/service-instances.ts):
 * started from the sources (ts-node) with the run's environment, restarted, waited for until
 * ready, and stopped (all of them, also on error).
 */
import { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { GRACE_MS, LOGS, READY_TIMEOUT_MS } from './chaos-common';
import { freePort, spawnService, stopChild, untilReady } from './service-instances';

export { freePort };

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

const logOf = (i: Instance) => path.join(LOGS, `${i.name}.log`);

export function start(i: Instance): void {
  i.starts++;
  const child = spawnService({ env: instanceEnv, port: i.port, log: logOf(i), append: true, tsNode: true });
  children.add(child);
  i.child = child;
  i.exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
}

export function ready(i: Instance, timeoutMs = READY_TIMEOUT_MS): Promise<number> {
  return untilReady({ name: i.name, port: i.port, child: i.child, log: logOf(i) }, timeoutMs);
}

export async function stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, GRACE_MS + 20_000, signal)));
}
