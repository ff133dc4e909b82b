import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StaffCredentials } from '../clinics/staff-credentials';
import { endSessions } from './auth.repository';
import { CredentialCache } from './credential-cache';

/** Auth's side of clinics' StaffCredentials port: sessions are auth's table, and the credential cache is auth's. */
@Injectable()
export class SessionStaffCredentials extends StaffCredentials {
  constructor(private readonly cache: CredentialCache) {
    super();
  }

  /** Called in the transaction of every change to a staff member's account (role, activity, password): their cached credential goes too. */
  endSessions(manager: EntityManager, clinicId: string, staffId: string, now: Date, reason: string): Promise<void> {
    this.cache.revoke(staffId);
    return endSessions(manager, clinicId, staffId, now, reason);
  }
}

/** Global so that ClinicsModule, below auth, can be given it without importing auth. */
@Global()
@Module({ providers: [CredentialCache, { provide: StaffCredentials, useClass: SessionStaffCredentials }], exports: [StaffCredentials, CredentialCache] })
export class StaffCredentialsModule {}
