import type { DataSource, EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { queryRows } from './query-rows';

/** A claimed row is in this status while a lease on it is held. */
export const LEASED_STATUS = 'sending';

/** `lease_expires_at` is past on the database's clock: whoever held the row is gone. */
const LAPSED = `status = '${LEASED_STATUS}' AND lease_expires_at < clock_timestamp()`;

/** A lease on one row: the row, and what proves the holder still has it (its owner, or its attempt number). */
export interface Lease {
  id: string;
  holder: string | number;
}

/**
 * Who holds a claimed row. `owner`: the `lease_owner` column names the instance (set at the claim);
 * `attempt`: the `attempts` column, incremented by every claim, tells this claim from a later one.
 */
export type LeaseHolder = { kind: 'owner'; owner: string } | { kind: 'attempt' };

export interface LeaseQueueSpec<Row extends ObjectLiteral & { id: string }> {
  entity: EntityTarget<Row>;
  /** The table (a literal from code, never input). */
  table: string;
  /** The status a row waits in, and goes back to when its lease is given back. */
  waitingStatus: string;
  /** SQL over the table's columns: a row ready to be claimed, `$1` being now (the Clock's business time). */
  ready: string;
  /** SQL every claimed row satisfies, ready or lapsed (e.g. outbound messages only); none when absent. */
  scope?: string;
  /** Also claim rows whose lease lapsed (messages); otherwise lapsed rows wait for giveBackLapsed (check-ins, audited). */
  retakeLapsed?: boolean;
  /** The column claims are ordered by (oldest first). */
  order: string;
  holder: LeaseHolder;
  /** A column stamped with now on every write by the queue (`updated_at`), if the table has one. */
  touched?: string;
  /** How long a lease lasts, read at each claim and renewal. */
  leaseMs: () => number;
}

/**
 * The one lease queue: a table whose rows wait in a status until due, are claimed with
 * FOR UPDATE SKIP LOCKED by whichever instance gets there first, and are held under a lease that
 * lives on the database's clock (`clock_timestamp()`), never an instance's Clock, so a skewed
 * instance can neither take a lease early nor make its own last longer. Used by the check-in
 * dispatcher (check_ins, 5 minutes, owner-held) and the message queue (messages, 2 minutes,
 * attempt-held). Every write is conditioned on the lease still being held, and says whether it was.
 *
 * Batching: `claimRows` claims a round and returns its rows in one statement (a CTE over the
 * same claim); `renewMany`, `settleMany` and `giveBackMany` do for a round in one statement what
 * `renew`, `settle` and `giveBack` do for one lease, keyed by the same (id, holder) pairs, in the
 * caller's transaction.
 */
export class LeaseQueue<Row extends ObjectLiteral & { id: string }> {
  constructor(private readonly spec: LeaseQueueSpec<Row>) {}

  private get holderColumn(): string {
    return this.spec.holder.kind === 'owner' ? 'lease_owner' : 'attempts';
  }

  private get leaseUntil(): string {
    return `clock_timestamp() + ${Math.max(0, Math.round(this.spec.leaseMs()))}::int * interval '1 millisecond'`;
  }

  /** `SET` items every claim writes, `$1` being now and `$2` the owner when owner-held. */
  private claimSet(): string {
    const set = [`status = '${LEASED_STATUS}'`, `attempts = attempts + 1`, `lease_expires_at = ${this.leaseUntil}`];
    if (this.spec.holder.kind === 'owner') set.push(`lease_owner = $2`);
    if (this.spec.touched) set.push(`${this.spec.touched} = $1`);
    return set.join(', ');
  }

  private claimParams(now: Date): unknown[] {
    return this.spec.holder.kind === 'owner' ? [now, this.spec.holder.owner] : [now];
  }

  /** The claim's UPDATE of up to `$n` (the last parameter) due rows, returning `returning`. */
  private claimSql(paramCount: number, returning: string): string {
    const { table, ready, scope, order, retakeLapsed } = this.spec;
    const due = `${scope ? `${scope} AND ` : ''}((${ready})${retakeLapsed ? ` OR (${LAPSED})` : ''})`;
    return `UPDATE ${table} SET ${this.claimSet()}
        WHERE id IN (SELECT id FROM ${table} WHERE ${due} ORDER BY ${order} LIMIT $${paramCount + 1} FOR UPDATE SKIP LOCKED)
        RETURNING ${returning}`;
  }

  /** Up to `limit` due rows (and lapsed ones when the spec retakes them), oldest first, each now leased. */
  async claim(db: DataSource | EntityManager, now: Date, limit: number): Promise<Lease[]> {
    const params = this.claimParams(now);
    return queryRows<{ id: string; holder: string | number }>(db, this.claimSql(params.length, `id, ${this.holderColumn} AS holder`), [...params, limit]);
  }

  /**
   * The same claim, answered with the claimed rows themselves (as `columns` selects them from
   * alias `c`, after the claim's changes), oldest first: one statement claims a round and reads it.
   */
  async claimRows<T>(db: DataSource | EntityManager, now: Date, limit: number, columns: (alias: string) => string): Promise<T[]> {
    const params = this.claimParams(now);
    return queryRows<T>(db, `WITH claimed AS (${this.claimSql(params.length, '*')}) SELECT ${columns('c')} FROM claimed c ORDER BY c.${this.spec.order}`, [...params, limit]);
  }

  /** Matches a row of the table (alias q) to the (id, holder) pairs of `v`, holder as text. */
  private heldBy(v: string): string {
    return `q.id = ${v}.id AND q.status = '${LEASED_STATUS}' AND ${this.spec.holder.kind === 'owner' ? `q.lease_owner = ${v}.holder` : `q.attempts = ${v}.holder::int`}`;
  }

  /** A round's leases renewed in one statement, just before its sends; the ids whose lease was still held. */
  async renewMany(db: DataSource | EntityManager, leases: Lease[]): Promise<Set<string>> {
    if (!leases.length) return new Set();
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE ${this.spec.table} q SET lease_expires_at = ${this.leaseUntil}
         FROM unnest($1::uuid[], $2::text[]) AS v(id, holder)
        WHERE ${this.heldBy('v')} RETURNING q.id`,
      [leases.map((l) => l.id), leases.map((l) => String(l.holder))],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * A round's leases ended, each with its own new state (`changes`, by entity property), in one
   * statement: what `settle` does for each, keyed by the same (id, holder) pairs. The ids settled;
   * a lease lost to another holder is left alone.
   */
  async settleMany(manager: EntityManager, items: Array<{ lease: Lease; changes: QueryDeepPartialEntity<Row> }>): Promise<Set<string>> {
    if (!items.length) return new Set();
    const meta = manager.connection.getMetadata(this.spec.entity);
    const columns = new Map<string, { name: string; type: string }>();
    const rows = items.map(({ lease, changes }) => {
      const ch: Record<string, unknown> = {};
      for (const [prop, value] of Object.entries(changes as Record<string, unknown>)) {
        if (value === undefined) continue;
        const column = meta.findColumnWithPropertyName(prop);
        if (!column || typeof column.type !== 'string') throw new Error(`settleMany: ${this.spec.table} has no plain column for '${prop}'`);
        columns.set(column.databaseName, { name: column.databaseName, type: column.type });
        ch[column.databaseName] = value;
      }
      return { id: lease.id, holder: String(lease.holder), ch };
    });
    const set = [...columns.values()]
      .filter((c) => c.name !== 'lease_expires_at' && c.name !== 'lease_owner')
      .map((c) => `${c.name} = CASE WHEN v.ch ? '${c.name}' THEN ${c.type === 'jsonb' ? `v.ch->'${c.name}'` : `(v.ch->>'${c.name}')::${c.type}`} ELSE q.${c.name} END`);
    set.push('lease_expires_at = NULL');
    if (this.spec.holder.kind === 'owner') set.push('lease_owner = NULL');
    const settled = await queryRows<{ id: string }>(
      manager,
      `UPDATE ${this.spec.table} q SET ${set.join(', ')}
         FROM (SELECT (e->>'id')::uuid AS id, e->>'holder' AS holder, e->'ch' AS ch FROM jsonb_array_elements($1::jsonb) e) v
        WHERE ${this.heldBy('v')} RETURNING q.id`,
      [JSON.stringify(rows)],
    );
    return new Set(settled.map((r) => r.id));
  }

  /** `giveBack` for a round in one statement, each due again at its own `notBefore` (or as it was); the ids given back. */
  async giveBackMany(db: DataSource | EntityManager, items: Array<{ lease: Lease; notBefore: Date | null }>, now: Date): Promise<Set<string>> {
    if (!items.length) return new Set();
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE ${this.spec.table} q SET status = '${this.spec.waitingStatus}', attempts = q.attempts - 1, lease_expires_at = NULL,
              next_attempt_at = COALESCE(v.not_before, q.next_attempt_at, $4)${this.ownerCleared()}${this.spec.touched ? `, ${this.spec.touched} = $4` : ''}
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS v(id, holder, not_before)
        WHERE ${this.heldBy('v')} RETURNING q.id`,
      [items.map((i) => i.lease.id), items.map((i) => String(i.lease.holder)), items.map((i) => i.notBefore), now],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** These rows, if they are ready now (not lapsed, not locked for long: the caller has just queued them). */
  async claimIds(db: DataSource | EntityManager, now: Date, ids: string[]): Promise<Lease[]> {
    const params = this.claimParams(now);
    return queryRows<{ id: string; holder: string | number }>(
      db,
      `UPDATE ${this.spec.table} SET ${this.claimSet()}
        WHERE id = ANY($${params.length + 1}::uuid[]) AND ${this.spec.ready}
        RETURNING id, ${this.holderColumn} AS holder`,
      [...params, ids],
    );
  }

  /** A fresh lease just before a send; false when it was lost (the row is another holder's now). */
  async renew(db: DataSource | EntityManager, lease: Lease): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE ${this.spec.table} SET lease_expires_at = ${this.leaseUntil}
        WHERE id = $1 AND status = '${LEASED_STATUS}' AND ${this.holderColumn} = $2 RETURNING id`,
      [lease.id, lease.holder],
    );
    return rows.length > 0;
  }

  /** Ends the lease with the row's new state (`changes`, by entity property); false when the lease was lost. */
  async settle(manager: EntityManager, lease: Lease, changes: QueryDeepPartialEntity<Row>): Promise<boolean> {
    const held = { id: lease.id, status: LEASED_STATUS, [this.spec.holder.kind === 'owner' ? 'leaseOwner' : 'attempts']: lease.holder };
    const ended: Record<string, unknown> = { leaseExpiresAt: null };
    if (this.spec.holder.kind === 'owner') ended.leaseOwner = null;
    const result = await manager.update(this.spec.entity, held as unknown as FindOptionsWhere<Row>, { ...changes, ...ended } as QueryDeepPartialEntity<Row>);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Back to waiting without counting the attempt (the send never started: shutdown, or not its
   * time yet): due again at `notBefore`, or when it was. False when the lease was lost.
   */
  async giveBack(db: DataSource | EntityManager, lease: Lease, now: Date, notBefore: Date | null = null): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE ${this.spec.table} SET status = '${this.spec.waitingStatus}', attempts = attempts - 1, lease_expires_at = NULL,
              next_attempt_at = COALESCE($3, next_attempt_at, $4)${this.ownerCleared()}${this.spec.touched ? `, ${this.spec.touched} = $4` : ''}
        WHERE id = $1 AND status = '${LEASED_STATUS}' AND ${this.holderColumn} = $2 RETURNING id`,
      [lease.id, lease.holder, notBefore, now],
    );
    return rows.length > 0;
  }

  /** The lease ends now, its state unchanged: another instance may retake the row at once (shutdown, send under way). */
  async expireNow(db: DataSource | EntityManager, lease: Lease): Promise<void> {
    await db.query(`UPDATE ${this.spec.table} SET lease_expires_at = clock_timestamp() WHERE id = $1 AND status = '${LEASED_STATUS}' AND ${this.holderColumn} = $2`, [
      lease.id,
      lease.holder,
    ]);
  }

  /** Rows whose holder died mid-send go back to waiting, due now; returned with who held them, to be audited. */
  giveBackLapsed(manager: EntityManager, now: Date): Promise<Array<{ id: string; clinic_id: string; holder: string | number | null }>> {
    const { table, waitingStatus } = this.spec;
    return queryRows(
      manager,
      `WITH lapsed AS (SELECT id, ${this.holderColumn} AS holder FROM ${table} WHERE ${LAPSED} FOR UPDATE SKIP LOCKED)
       UPDATE ${table} q SET status = '${waitingStatus}', lease_expires_at = NULL, next_attempt_at = $1${this.ownerCleared()}
         FROM lapsed WHERE q.id = lapsed.id RETURNING q.id, q.clinic_id, lapsed.holder`,
      [now],
    );
  }

  /** Everything this owner holds goes back to waiting, due now (shutdown); owner-held queues only. */
  giveBackAllHeld(manager: EntityManager, now: Date): Promise<Array<{ id: string; clinic_id: string }>> {
    if (this.spec.holder.kind !== 'owner') throw new Error(`giveBackAllHeld needs an owner-held queue (${this.spec.table})`);
    return queryRows(
      manager,
      `UPDATE ${this.spec.table} SET status = '${this.spec.waitingStatus}', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = $2
        WHERE status = '${LEASED_STATUS}' AND lease_owner = $1 RETURNING id, clinic_id`,
      [this.spec.holder.owner, now],
    );
  }

  private ownerCleared(): string {
    return this.spec.holder.kind === 'owner' ? ', lease_owner = NULL' : '';
  }
}

/**
 * A round's writes: `work` for all `items` in one transaction; if that fails, for each item in a
 * transaction of its own, so that one item's failure is only its own (`failed(item, err)`, and
 * its lease lapses). What `work` returned, over the transactions that committed.
 */
export async function inOneTransactionOrEach<T, R>(
  db: DataSource,
  items: T[],
  work: (tx: EntityManager, some: T[]) => Promise<R[]>,
  failed: (item: T, err: unknown) => void,
): Promise<R[]> {
  if (!items.length) return [];
  try {
    return await db.transaction((tx) => work(tx, items));
  } catch (err) {
    if (items.length === 1) {
      failed(items[0], err);
      return [];
    }
  }
  const out: R[] = [];
  for (const item of items) {
    try {
      out.push(...(await db.transaction((tx) => work(tx, [item]))));
    } catch (err) {
      failed(item, err);
    }
  }
  return out;
}
