import path from 'node:path';

/** A start that failed, with PostgreSQL's own words and advice that fits them. */
export class EmbeddedStartError extends Error {}

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
