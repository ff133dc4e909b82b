import type { EntityManager } from 'typeorm';

/**
 * What clinics needs from auth when a staff member's account changes: their browser sessions
 * ended, in the caller's transaction beside its audit event (their bearer tokens clinics revokes
 * itself: the token version is a column of staff_users).
 * Clinics (the lower layer) owns this port and auth provides it (auth/staff-credentials.module.ts),
 * so the arrow runs auth → clinics; without auth loaded, Nest refuses to start (ClinicsService
 * cannot be built), nothing is silently skipped.
 */
export abstract class StaffCredentials {
  abstract endSessions(manager: EntityManager, clinicId: string, staffId: string, now: Date, reason: string): Promise<void>;
}
