import { Injectable } from '@nestjs/common';
import type { StaffCredentialRow } from '../clinics/clinics.repository';
import { Clock } from '../common/clock';

/**
 * How long a staff member's credential row (role, active, must-change-password, token version)
 * read for one request serves the next ones without a database round trip. This is the bound on
 * a revocation made by **another** instance: a deactivation, role change or password change
 * committed there stops this instance's bearer tokens and sessions of that person within this
 * long. Made on this instance (every such change goes through ClinicsService.updateStaff, which
 * calls the StaffCredentials port, or AuthService.changePassword), it takes effect at once.
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

  constructor(private readonly clock: Clock) {}

  /** The cached row when fresh, else `load()`'s (cached unless the staff member was just revoked). */
  async get(staffId: string, load: () => Promise<StaffCredentialRow | undefined>): Promise<StaffCredentialRow | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(staffId);
    // A clock moved backwards (tests) counts as stale too.
    if (hit && now >= hit.at && now - hit.at < CREDENTIAL_TTL_MS) return hit.row;
    const row = await load();
    const after = this.clock.now().getTime();
    const revokedAt = this.revoked.get(staffId);
    if (revokedAt !== undefined) {
      if (after >= revokedAt && after - revokedAt < CREDENTIAL_TTL_MS) return row;
      this.revoked.delete(staffId);
    }
    // Unknown staff ids are not cached: a stream of made-up subjects would need a valid signature
    // anyway, but there is no reason to hold them.
    if (row) {
      this.entries.delete(staffId);
      this.entries.set(staffId, { row, at: now });
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    return row;
  }

  /** The staff member's account is changing: forget their row on this instance, and do not cache it again for a TTL. */
  revoke(staffId: string): void {
    this.entries.delete(staffId);
    this.revoked.set(staffId, this.clock.now().getTime());
    if (this.revoked.size > MAX_ENTRIES) this.revoked.delete(this.revoked.keys().next().value!);
  }
}
