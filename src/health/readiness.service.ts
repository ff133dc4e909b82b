import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import nodemailer from 'nodemailer';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export interface Readiness {
  ready: boolean;
  /** The failing parts, each as "part: why". */
  failing: string[];
  /** Each part's state; a failing part says why. */
  checks: { database: string; migrations: string; email: string; sms: string };
}

/** How long one readiness probe waits for the database before calling it unreachable. */
const DB_PROBE_MS = 2000;
/** A failed SMTP check is tried again at most this often (on a readiness probe). */
const RECHECK_MS = 30_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}

/** Names TypeORM records in the migrations table for the registered migrations. */
export function registeredMigrationNames(): string[] {
  return MIGRATIONS.map((M) => (new (M as new () => { name?: string })().name ?? M.name));
}

/**
 * Readiness: the database answers, every registered migration is applied, and each configured
 * channel's transport was verified at start (SMTP: a real connection and login; Twilio: configured).
 */
@Injectable()
export class ReadinessService implements OnApplicationBootstrap {
  private email: { state: string; ok: boolean; at: number } = { state: 'not checked yet', ok: false, at: 0 };
  private emailCheck: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Started, not awaited: an SMTP server that is slow to answer must not hold up the start.
    this.emailCheck = this.verifyEmail();
  }

  private async verifyEmail(): Promise<void> {
    if (!this.config.smtpUrl) {
      this.email = { state: this.config.devOutbox ? 'not configured (dev outbox)' : 'not configured', ok: true, at: Date.now() };
      return;
    }
    const transport = nodemailer.createTransport(this.config.smtpUrl, { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 5000 } as never);
    try {
      await transport.verify();
      this.email = { state: 'smtp verified', ok: true, at: Date.now() };
    } catch (err) {
      this.email = { state: `smtp verify failed: ${(err as Error).message}`, ok: false, at: Date.now() };
    } finally {
      transport.close();
    }
  }

  private smsState(): { state: string; ok: boolean } {
    const t = this.config.twilio;
    if (!t) return { state: this.config.devOutbox ? 'not configured (dev outbox)' : 'not configured', ok: true };
    return { state: t.from ? 'twilio configured' : 'twilio configured without TWILIO_FROM (clinic numbers only)', ok: true };
  }

  async check(): Promise<Readiness> {
    if (!this.email.ok && this.email.at && Date.now() - this.email.at > RECHECK_MS) this.emailCheck = this.verifyEmail();
    let database = 'up';
    let migrations = 'not checked (database down)';
    let migrationsOk = false;
    try {
      const rows: Array<{ name: string }> = await withTimeout(this.db.query(`SELECT name FROM migrations`), DB_PROBE_MS, 'the database');
      const applied = new Set(rows.map((r) => r.name));
      const pending = registeredMigrationNames().filter((n) => !applied.has(n));
      migrationsOk = pending.length === 0;
      migrations = migrationsOk ? `applied (${applied.size})` : `pending: ${pending.join(', ')}`;
    } catch (err) {
      database = `unreachable: ${(err as Error).message}`;
    }
    if (this.emailCheck) await withTimeout(this.emailCheck, 10_000, 'SMTP').catch(() => undefined);
    const sms = this.smsState();
    const checks = { database, migrations, email: this.email.state, sms: sms.state };
    const ok = { database: database === 'up', migrations: migrationsOk, email: this.email.ok, sms: sms.ok };
    const failing = (Object.keys(checks) as Array<keyof typeof checks>).filter((k) => !ok[k]).map((k) => `${k}: ${checks[k]}`);
    return { ready: failing.length === 0, failing, checks };
  }
}
