import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { binaries, freePort, isPostmasterOf, ownerOf, portIsFree, reachable, readPidFile, RunAs, runAsFor, stopPostmaster } from './embedded-processes';
import { adviceFor, EmbeddedStartError, postgresMessage } from './embedded-start-errors';

/* The service's own PostgreSQL under DATA_DIR: its cluster, port, password and lifetime. */
export { freePort, portIsFree } from './embedded-processes';
export { adviceFor, EmbeddedStartError, postgresMessage } from './embedded-start-errors';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'aftercare';
/** The first port tried on a fresh DATA_DIR, so a single instance gets a predictable one. */
export const PREFERRED_PORT = 54329;

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
