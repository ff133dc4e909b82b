import { adviceFor, postgresMessage } from './embedded';

/** What a start error says: PostgreSQL's own lines (from its log), then advice that fits them. */
const ctx = { port: 54329, portFromEnv: true, pgdata: '/srv/a/postgres', dataDir: '/srv/a', runAs: 'the postgres user (uid 101)' };

describe('embedded PostgreSQL start errors', () => {
  it('keeps what PostgreSQL said, without timestamps', () => {
    const log = [
      '2026-12-04 15:50:01.123 UTC [2201] LOG:  starting PostgreSQL 18.4 on x86_64-pc-linux-gnu',
      '2026-12-04 15:50:01.124 UTC [2201] LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',
      '2026-12-04 15:50:01.124 UTC [2201] HINT:  Is another postmaster already running on port 54329? If not, wait a few seconds and retry.',
      '2026-12-04 15:50:01.125 UTC [2201] FATAL:  could not create any TCP/IP sockets',
    ].join('\n');
    expect(postgresMessage(log)).toBe(
      [
        'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',
        'HINT:  Is another postmaster already running on port 54329? If not, wait a few seconds and retry.',
        'FATAL:  could not create any TCP/IP sockets',
      ].join('\n  '),
    );
  });

  it.each([
    ['a taken port', 'FATAL:  could not create any TCP/IP sockets', /Port 54329 is taken by another program\. Set EMBEDDED_PG_PORT/],
    ['a held lock file', 'FATAL:  lock file "postmaster.pid" already exists\nHINT:  Is another postmaster (PID 4242) running in data directory "/srv/a/postgres"?', /own DATA_DIR/],
    ['a folder it cannot reach', 'initdb: error: could not access directory "/root/x/postgres": Permission denied', /postgres user \(uid 101\)\) may not use \/srv\/a\/postgres.*Set DATA_DIR to a folder it can reach/],
    ['another major version', 'FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version 16', /another PostgreSQL major version/],
  ])('gives advice that fits %s', (_, said, advice) => {
    const text = adviceFor(said, ctx);
    expect(text).toMatch(advice);
    // Never the port advice for something else.
    if (!/TCP\/IP/.test(said)) expect(text).not.toMatch(/Port \d+ is taken/);
  });

  it('points at the log when it does not know the error', () => {
    expect(adviceFor('FATAL:  something new', ctx)).toMatch(/\/srv\/a\/postgres\.log/);
  });
});
