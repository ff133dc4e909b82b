import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Lease, LeaseQueue } from '../database/lease-queue';
import { CheckInDispatchRepository, DUE_FOR_SENDING_SQL } from './check-in-dispatch.repository';
import { CheckIn } from './check-in.entity';
import { CHECK_IN_COLUMNS } from './check-ins.repository';

/**
 * Leases live on the database's clock (clock_timestamp() in SQL), never on an instance's Clock:
 * a skewed instance can neither take a lease early nor make its own last longer. Due times stay
 * on the Clock (business time).
 */
const LEASE_MS = 5 * 60_000;

/**
 * Decides which check-ins this instance holds: the check_ins table is a queue on the one lease
 * queue (5-minute leases, held by this instance's owner name). Claims due check-ins, renews and
 * settles their leases, and gives back (audited) the ones whose holder died or is shutting down.
 */
@Injectable()
export class CheckInQueue {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly queue: LeaseQueue<CheckIn>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: CheckInDispatchRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new LeaseQueue<CheckIn>({
      entity: CheckIn,
      table: 'check_ins',
      waitingStatus: 'scheduled',
      ready: DUE_FOR_SENDING_SQL,
      order: 'next_attempt_at',
      holder: { kind: 'owner', owner: this.owner },
      leaseMs: () => config.dispatchLeaseMs ?? LEASE_MS,
    });
  }

  private leaseOf(checkIn: CheckIn): Lease {
    return { id: checkIn.id, holder: this.owner };
  }

  /** Up to `limit` due check-ins of every clinic (the dispatcher serves them all), oldest first, each now leased to this instance. */
  async claimDue(limit: number, tx: DataSource | EntityManager = this.db): Promise<CheckIn[]> {
    // One statement: the claim returns the claimed rows, as they are after it.
    return this.queue.claimRows<CheckIn>(tx, this.clock.now(), limit, CHECK_IN_COLUMNS);
  }

  /** A round's leases renewed at once, just before its sends; the ids still held (the rest were lost to another instance). */
  renewMany(tx: EntityManager, checkIns: CheckIn[]): Promise<Set<string>> {
    return this.queue.renewMany(tx, checkIns.map((c) => this.leaseOf(c)));
  }

  /** A round's leases ended, each with its new state, in one statement; the ids settled (the rest were lost). */
  settleMany(tx: EntityManager, items: Array<{ checkIn: CheckIn; changes: QueryDeepPartialEntity<CheckIn> }>): Promise<Set<string>> {
    return this.queue.settleMany(
      tx,
      items.map((i) => ({ lease: this.leaseOf(i.checkIn), changes: i.changes })),
    );
  }

  /** `giveBack` for many at once, each due at its own `notBefore` (or as it was); the ids given back. */
  giveBackMany(items: Array<{ checkIn: CheckIn; notBefore: Date | null }>, tx: DataSource | EntityManager = this.db): Promise<Set<string>> {
    return this.queue.giveBackMany(
      tx,
      items.map((i) => ({ lease: this.leaseOf(i.checkIn), notBefore: i.notBefore })),
      this.clock.now(),
    );
  }

  /** Just before sending, so the lease covers the send; false when it was lost to another instance. */
  renew(tx: EntityManager, checkIn: CheckIn): Promise<boolean> {
    return this.queue.renew(tx, this.leaseOf(checkIn));
  }

  /** Ends this instance's lease with a new state; false when the lease was lost to another instance. */
  settle(checkIn: CheckIn, changes: QueryDeepPartialEntity<CheckIn>, tx: EntityManager = this.db.manager): Promise<boolean> {
    return this.queue.settle(tx, this.leaseOf(checkIn), changes);
  }

  /** Back to `scheduled` without counting the attempt (shutdown, or outside the send window): due at `notBefore`, or as it was. */
  giveBack(checkIn: CheckIn, notBefore: Date | null = null): Promise<boolean> {
    return this.queue.giveBack(this.db, this.leaseOf(checkIn), this.clock.now(), notBefore);
  }

  /** A check-in whose sender died mid-send goes back to the queue: at-least-once, never lost. */
  giveBackLapsed(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await this.queue.giveBackLapsed(tx, this.clock.now());
      for (const r of rows) {
        await this.audit.record(tx, { clinicId: r.clinic_id, actor: SYSTEM, action: 'check_in.lease_lapsed', entityType: 'check_in', entityId: r.id, data: { leaseOwner: r.holder } });
      }
      return rows.length;
    });
  }

  /** Every check-in this instance holds goes back to the queue now (shutdown), audited. */
  giveBackAllHeld(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await this.queue.giveBackAllHeld(tx, this.clock.now());
      for (const r of rows) {
        await this.audit.record(tx, { clinicId: r.clinic_id, actor: SYSTEM, action: 'check_in.released_at_shutdown', entityType: 'check_in', entityId: r.id, data: { leaseOwner: this.owner, sendUnderWay: true } });
      }
      return rows.length;
    });
  }
}
