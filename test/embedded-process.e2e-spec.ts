import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../src/database/embedded';

/**
 * The real service as an operator runs it (`ts-node src/main.ts`, no DATABASE_URL: the embedded
 * PostgreSQL under a fresh DATA_DIR), with an SMTP server that takes 2.5 s per message so that
 * sends are under way when the signal comes:
 *  - SIGTERM mid-dispatch: sends under way finish, claimed ones go back, nothing is left in
 *    `sending`, the process exits 0 and its PostgreSQL is stopped (not before);
 *  - kill -9 (of a process holding the database): the PostgreSQL left behind is found and stopped by the next start, which succeeds;
 *  - in the end every check-in went out exactly once.
 */
const ROOT = path.resolve(__dirname, '..');
const ADMIN_PASSWORD = 'process-test-admin-password';

interface Service {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

describe('the service process on its embedded database', () => {
  let dataDir: string;
  let smtp: SMTPServer;
  let smtpPort: number;
  let httpPort: number;
  const received: string[] = [];
  let inFlight = 0;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'aftercare-process-'));
    // As root, PostgreSQL runs as the postgres user: it must be let through the temp folder.
    chmodSync(parent, 0o755);
    dataDir = path.join(parent, 'data');
    smtpPort = await freePort();
    httpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, cb) {
        inFlight++;
        stream.resume();
        stream.on('end', () =>
          setTimeout(() => {
            inFlight--;
            received.push(...session.envelope.rcptTo.map((r) => r.address));
            cb();
          }, 2500),
        );
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    // A failed run must not leave a service or its database behind.
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    const pid = postmasterPid();
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(path.dirname(dataDir), { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  function start(extra: Record<string, string> = {}): Service {
    const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_COLOR: '1',
        DATA_DIR: dataDir,
        PORT: String(httpPort),
        PUBLIC_BASE_URL: `http://localhost:${httpPort}`,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        JWT_SECRET: 'process-test-secret-process-test-secret-0123',
        BOOTSTRAP_CLINIC_NAME: 'Process Clinic',
        BOOTSTRAP_ADMIN_EMAIL: 'admin@process.test',
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DISPATCH_INTERVAL_MS: '300',
        DISPATCH_CONCURRENCY: '2',
        SHUTDOWN_GRACE_MS: '8000',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => out, exited };
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 40_000, svc?: Service): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${svc ? `\n${svc.output()}` : ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const t0 = Date.now();
  const mark = (what: string) => process.env.PROCESS_TEST_TIMES && process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}\n`);
  const listening = async (svc: Service) => {
    await until('the service to listen', () => svc.output().includes('Aftercare listening on'), 300_000, svc);
    mark('listening');
  };

  function postmasterPid(): number | null {
    const file = path.join(dataDir, 'postgres', 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
  }
  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async function owner<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({
      host: '127.0.0.1',
      port: Number(readFileSync(path.join(dataDir, 'postgres.port'), 'utf8')),
      user: 'aftercare',
      password: readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim(),
      database: 'aftercare',
    });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  async function api(pathname: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
    const res = await fetch(`http://127.0.0.1:${httpPort}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${pathname}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  it('drains on SIGTERM, stops its database last, recovers from kill -9, and sends each check-in once', async () => {
    // 1. First start: a generated superuser password (0600) and a port kept beside the data.
    const first = start();
    await listening(first);
    expect(statSync(path.join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim()).not.toBe('aftercare');
    mark('const admin = await api(');
    const admin = await api('/v1/auth/login', { email: 'admin@process.test', password: ADMIN_PASSWORD });
    const staff = await api('/v1/staff', { email: 'pr@process.test', name: 'A practitioner', role: 'practitioner', password: ADMIN_PASSWORD }, admin.accessToken as string);
    const pr = (await api('/v1/auth/login', { email: 'pr@process.test', password: ADMIN_PASSWORD })).accessToken as string;
    const emails = Array.from({ length: 6 }, (_, i) => `patient${i}@process.test`);
    for (const email of emails) {
      const p = await api('/v1/patients', { givenName: 'Ana', familyName: 'Ruiz', email, timeZone: 'Europe/Madrid', preferredChannel: 'email', emailConsent: true, smsConsent: false }, pr);
      await api(
        '/v1/treatments',
        { patientId: p.id, practitionerId: staff.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'P', lotNumber: 'L1', performedAt: new Date().toISOString(), sendInstructions: false },
        pr,
      );
    }
    // The first check-in of each patient due now, at any hour.
    await owner(async (c) => {
      await c.query(`UPDATE clinics SET send_window_start = '00:00', send_window_end = '23:59'`);
      await c.query(`UPDATE check_ins SET next_attempt_at = now() - interval '1 minute' WHERE step = (SELECT min(step) FROM check_ins i WHERE i.treatment_id = check_ins.treatment_id)`);
    });
    mark("await until('a send under way'");
    await until('a send under way', () => inFlight > 0, 120_000, first);
    const pgPid = postmasterPid()!;
    expect(alive(pgPid)).toBe(true);
    mark("first.child.kill('SIGTERM');");
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/SIGTERM: finishing the work under way/);
    expect(alive(pgPid)).toBe(false);
    expect(postmasterPid()).toBeNull();
    mark('const sentBeforeRestart');
    const sentBeforeRestart = received.length;
    expect(sentBeforeRestart).toBeGreaterThan(0);

    // 2. The database alone, held by a process that is then kill -9'd: nothing left in `sending`.
    const holder = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), 'test/support/hold-embedded.ts', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(holder);
    let held = '';
    holder.stdout!.on('data', (c) => (held += c));
    await until('the held database', () => held.includes('ready'), 120_000);
    mark('held');
    const states = await owner(async (c) => (await c.query(`SELECT status, count(*)::int AS n FROM check_ins WHERE next_attempt_at <= now() GROUP BY status`)).rows);
    expect(states.find((r) => r.status === 'sending')).toBeUndefined();
    const orphan = postmasterPid()!;
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(alive(orphan)).toBe(true);

    // 3. Start again: the orphan is stopped, the database started, the rest sent.
    const second = start();
    await listening(second);
    expect(second.output()).toMatch(/left running by an earlier run that did not shut down/);
    expect(alive(orphan)).toBe(false);
    mark("await until('every due check-i");
    await until('every due check-in sent', () => received.length >= emails.length && inFlight === 0, 120_000, second);
    mark("second.child.kill('SIGTERM');");
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(postmasterPid()).toBeNull();
    mark('// Exactly once each');
    // Exactly once each, shutdown and kill -9 notwithstanding.
    expect([...received].sort()).toEqual([...emails].sort());
  }, 900_000);
});
