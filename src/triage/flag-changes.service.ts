import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { FLAG_CHANGES_CHANGE_KEYS, FLAG_CHANGES_CHANNEL, FlagChange } from '../flags/flag-cases.service';

type Listener = (change: Omit<FlagChange, 'clinicId'>) => void;

/**
 * Flag changes from every instance: one dedicated PostgreSQL connection LISTENs on the channel
 * that FlagCasesService notifies in the changing transaction (so only committed changes arrive), and
 * hands each change to the listeners of its clinic. The connection comes back by itself after a
 * loss (with a growing pause); changes made while it was away are not replayed, so a browser
 * refetches when its stream reconnects.
 */
@Injectable()
export class FlagChangesService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('FlagChanges');
  private readonly listeners = new Map<string, Set<Listener>>();
  private client: Client | null = null;
  private stopped = false;
  private retryMs = 500;
  private retryTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  /** A database that accepts the connection and then says nothing must not hold up start or the retries. */
  connectTimeoutMs = 10_000;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  /** Resolves once the LISTEN is in place (tests wait for it before raising a flag). */
  ready(): Promise<void> {
    return this.connecting ?? Promise.resolve();
  }

  subscribe(clinicId: string, listener: Listener): () => void {
    let set = this.listeners.get(clinicId);
    if (!set) this.listeners.set(clinicId, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (!set!.size) this.listeners.delete(clinicId);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting = this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const role = this.config.databaseRole;
    const client = new Client({
      connectionString: this.config.appDatabaseUrl ?? this.config.databaseUrl,
      connectionTimeoutMillis: this.connectTimeoutMs,
      // The LISTEN itself answers at once; a silent database is a lost one.
      query_timeout: this.connectTimeoutMs,
      // An idle listening connection to a peer that vanished is noticed by TCP keepalive.
      keepAlive: true,
      ...(role ? { options: `-c role=${role}` } : {}),
    });
    client.on('notification', (n) => this.deliver(n.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${FLAG_CHANGES_CHANNEL}`);
      this.client = client;
      this.retryMs = 500;
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.stopped || (this.client && this.client !== client)) return;
    this.client = null;
    client.removeAllListeners();
    client.end().catch(() => undefined);
    this.logger.warn(`Listening for flag changes stopped (${err.message}); again in ${this.retryMs} ms`);
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }

  private deliver(payload: string | undefined): void {
    if (!payload) return;
    let change: FlagChange;
    try {
      change = JSON.parse(payload) as FlagChange;
    } catch {
      return;
    }
    const set = this.listeners.get(change.clinicId);
    if (!set) return;
    const visible = Object.fromEntries(FLAG_CHANGES_CHANGE_KEYS.map((k) => [k, change[k]])) as Omit<FlagChange, 'clinicId'>;
    for (const listener of set) listener(visible);
  }
}
