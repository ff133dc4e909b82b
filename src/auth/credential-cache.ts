import { Injectable } from '@nestjs/common';
import type { StaffCredentialRow } from '../clinics/clinics.repository';
import { Clock } from '../common/clock';
import type { StaffSession } from './staff-session.entity';

/**
 * How long a staff member's credential row (role, active, must-change-password, token version),
 * or a browser session's row, read for one request serves the next ones without a database
 * round trip. This is the bound on a revocation made by **another** instance: a deactivation,
 * role change, password change or sign-out committed there stops this instance's bearer tokens
 * and sessions of that person within this long. Made on this instance (every such change goes
 * through ClinicsService.updateStaff, which calls the StaffCredentials port, or
 * AuthService.changePassword / endSession), it takes effect at once.
 */
export const CREDENTIAL_TTL_MS = 2_000;

/** At most this many staff members cached; the oldest entry goes first beyond it. */
const MAX_ENTRIES = 10_000;

interface Entry {
  row: StaffCredentialRow | undefined;
  at: number;
}

/**
 * The credential check's short cache, per instance: staff id → the row `ClinicsService.credentialOf`
 * read, for CREDENTIAL_TTL_MS (time from the injected Clock). `revoke(staffId)`, called in the
 * transaction that changes the account, drops the entry and keeps the staff member out of the
 * cache for a TTL after it: a lookup that raced with the change (it read the row before the
 * commit) is then not cached, so the old row cannot outlive the commit by more than the TTL,
 * and on this instance the next request after the commit reads the new row.
 */
@Injectable()
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  /** Staff members revoked within the last TTL: not cached until then. */
  private readonly revoked = new Map<string, number>();
  /** Browser sessions by their token hash (hex), with the time they were read. */
  private readonly sessions = new Map<string, { row: StaffSession; at: number }>();
  /** Sessions ended on this instance within the last TTL: not cached until then. */
  private readonly ended = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  private fresh(now: number, at: number): boolean {
    // A clock moved backwards (tests) counts as stale too.
    return now >= at && now - at < CREDENTIAL_TTL_MS;
  }

  private recentlyRevoked(staffId: string, now: number, marks = this.revoked): boolean {
    const revokedAt = marks.get(staffId);
    if (revokedAt === undefined) return false;
    if (this.fresh(now, revokedAt)) return true;
    marks.delete(staffId);
    return false;
  }

  /**
   * The session row for this token hash, from the cache when read within the TTL, else `load()`'s
   * (`fresh: true` forces the read). Ended and unknown sessions are not cached: they are refused
   * anyway, and a refusal is never served from memory.
   */
  async session(tokenHash: Buffer, load: () => Promise<StaffSession | undefined>, opts: { fresh?: boolean } = {}): Promise<StaffSession | undefined> {
    const key = tokenHash.toString('hex');
    const now = this.clock.now().getTime();
    const hit = this.sessions.get(key);
    if (hit && !opts.fresh && this.fresh(now, hit.at)) return hit.row;
    const row = await load();
    this.sessions.delete(key);
    const after = this.clock.now().getTime();
    if (row && !row.endedAt && !this.recentlyRevoked(row.staffId, after) && !this.recentlyRevoked(row.id, after, this.ended)) {
      this.sessions.set(key, { row, at: now });
      if (this.sessions.size > MAX_ENTRIES) this.sessions.delete(this.sessions.keys().next().value!);
    }
    return row;
  }

  /** The session slid forward (or ended) on this instance: the cached copy follows. */
  touched(tokenHash: Buffer, lastSeenAt: Date): void {
    const hit = this.sessions.get(tokenHash.toString('hex'));
    if (hit) hit.row = { ...hit.row, lastSeenAt };
  }

  /** This session is ending on this instance (signed out, idle): forget it, and do not cache it again for a TTL (a read racing the commit). */
  endSession(sessionId: string): void {
    for (const [key, e] of this.sessions) if (e.row.id === sessionId) this.sessions.delete(key);
    this.ended.set(sessionId, this.clock.now().getTime());
    if (this.ended.size > MAX_ENTRIES) this.ended.delete(this.ended.keys().next().value!);
  }

  /** The cached row when fresh, else `load()`'s (cached unless the staff member was just revoked). */
  async get(staffId: string, load: () => Promise<StaffCredentialRow | undefined>): Promise<StaffCredentialRow | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(staffId);
    if (hit && this.fresh(now, hit.at)) return hit.row;
    const row = await load();
    if (this.recentlyRevoked(staffId, this.clock.now().getTime())) return row;
    // Unknown staff ids are not cached: a stream of made-up subjects would need a valid signature
    // anyway, but there is no reason to hold them.
    if (row) {
      this.entries.delete(staffId);
      this.entries.set(staffId, { row, at: now });
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    return row;
  }

  /** The staff member's account is changing (their sessions end): forget their row and sessions on this instance, and do not cache them again for a TTL. */
  revoke(staffId: string): void {
    this.entries.delete(staffId);
    for (const [key, e] of this.sessions) if (e.row.staffId === staffId) this.sessions.delete(key);
    this.revoked.set(staffId, this.clock.now().getTime());
    if (this.revoked.size > MAX_ENTRIES) this.revoked.delete(this.revoked.keys().next().value!);
  }
}
