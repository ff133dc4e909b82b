import type { EntityManager } from 'typeorm';
import { LeaseQueue } from './lease-queue';

class Row {
  id: string;
}

/** A manager that records the SQL it is given and answers with no rows. */
function recorder() {
  const calls: Array<{ sql: string; params: unknown[] }> = [];
  const manager = {
    query: (sql: string, params: unknown[]) => {
      calls.push({ sql: sql.replace(/\s+/g, ' '), params });
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
  return { calls, manager };
}

describe('LeaseQueue', () => {
  const now = new Date('2026-03-02T08:00:00Z');
  const ownerHeld = new LeaseQueue<Row>({
    entity: Row,
    table: 'check_ins',
    waitingStatus: 'scheduled',
    ready: `status = 'scheduled' AND next_attempt_at <= $1`,
    order: 'next_attempt_at',
    holder: { kind: 'owner', owner: 'host:1' },
    leaseMs: () => 300_000,
  });
  const attemptHeld = new LeaseQueue<Row>({
    entity: Row,
    table: 'messages',
    waitingStatus: 'queued',
    scope: `direction = 'out'`,
    ready: `status = 'queued' AND next_attempt_at <= $1`,
    retakeLapsed: true,
    order: 'next_attempt_at',
    holder: { kind: 'attempt' },
    touched: 'updated_at',
    leaseMs: () => 120_000,
  });

  it('claims with SKIP LOCKED under a lease on the database clock, naming the owner', async () => {
    const { calls, manager } = recorder();
    await ownerHeld.claim(manager, now, 10);
    expect(calls[0].sql).toContain('FOR UPDATE SKIP LOCKED');
    expect(calls[0].sql).toContain(`lease_expires_at = clock_timestamp() + 300000::int * interval '1 millisecond'`);
    expect(calls[0].sql).toContain('lease_owner = $2');
    expect(calls[0].sql).not.toContain('lease_expires_at < clock_timestamp()');
    expect(calls[0].params).toEqual([now, 'host:1', 10]);
  });

  it('retakes lapsed leases within its scope when the spec says so, and stamps the touched column', async () => {
    const { calls, manager } = recorder();
    await attemptHeld.claim(manager, now, 5);
    expect(calls[0].sql).toContain(`direction = 'out' AND ((status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_expires_at < clock_timestamp()))`);
    expect(calls[0].sql).toContain('updated_at = $1');
    expect(calls[0].sql).toContain('RETURNING id, attempts AS holder');
    expect(calls[0].params).toEqual([now, 5]);
  });

  it('renews and gives back only while the lease is held', async () => {
    const { calls, manager } = recorder();
    expect(await attemptHeld.renew(manager, { id: 'a', holder: 3 })).toBe(false);
    await attemptHeld.giveBack(manager, { id: 'a', holder: 3 }, now);
    expect(calls[0].sql).toContain(`WHERE id = $1 AND status = 'sending' AND attempts = $2`);
    expect(calls[1].sql).toContain(`attempts = attempts - 1`);
    expect(calls[1].params).toEqual(['a', 3, null, now]);
  });

  it('gives back everything an owner holds, and refuses to for an attempt-held queue', async () => {
    const { calls, manager } = recorder();
    await ownerHeld.giveBackAllHeld(manager, now);
    expect(calls[0].params).toEqual(['host:1', now]);
    expect(() => attemptHeld.giveBackAllHeld(manager, now)).toThrow(/owner-held/);
  });
});
