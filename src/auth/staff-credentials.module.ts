import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StaffCredentials } from '../clinics/staff-credentials';
import { endSessions } from './auth.repository';

/** Auth's side of clinics' StaffCredentials port: sessions are auth's table. */
@Injectable()
export class SessionStaffCredentials extends StaffCredentials {
  endSessions(manager: EntityManager, clinicId: string, staffId: string, now: Date, reason: string): Promise<void> {
    return endSessions(manager, clinicId, staffId, now, reason);
  }
}

/** Global so that ClinicsModule, below auth, can be given it without importing auth. */
@Global()
@Module({ providers: [{ provide: StaffCredentials, useClass: SessionStaffCredentials }], exports: [StaffCredentials] })
export class StaffCredentialsModule {}
