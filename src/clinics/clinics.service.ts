import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, SYSTEM } from '../common/actor';
import { passwordProblem } from '../common/password-policy';
import { hashPassword } from '../common/passwords';
import { changedFields } from '../audit/field-changes';
import { isValidTimeZone } from '../common/time-zone';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { isE164, isSmsSender } from '../common/validators';
import { Clinic } from './clinic.entity';
import { ClinicsRepository, SignedInStaffRow, SignInCandidateRow, StaffCredentialRow } from './clinics.repository';
import { UpdateClinicDto } from './dto/clinic.dto';
import { UpdateStaffDto } from './dto/staff.dto';
import { StaffCredentials } from './staff-credentials';
import { StaffUser } from './staff-user.entity';
import { StaffRole } from '../common/roles';

export interface NewStaff {
  email: string;
  name: string;
  role: StaffRole;
  password: string;
  phone?: string | null;
  /** An invitation: the password is temporary and must be changed at the first sign-in. */
  mustChangePassword?: boolean;
}

/** Decides what a clinic and its staff may be: clinic creation and settings, staff accounts and roles (credentials revoked on change). */
@Injectable()
export class ClinicsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: StaffCredentials,
    private readonly repo: ClinicsRepository,
  ) {}

  async createClinicWithAdmin(input: {
    name: string;
    timeZone: string;
    adminEmail: string;
    adminPassword: string;
    adminName?: string;
    phone?: string;
    smsFrom?: string;
  }): Promise<{ clinic: Clinic; admin: StaffUser }> {
    if (!isValidTimeZone(input.timeZone)) throw new Error(`Unknown time zone: ${input.timeZone}`);
    // The CLI and BOOTSTRAP_* reach here without a DTO: the same rules as PATCH /v1/clinic.
    if (input.phone && !isE164(input.phone)) throw new Error(`The clinic phone must be in E.164 format, e.g. +447700900123: ${input.phone}`);
    if (input.smsFrom && !isSmsSender(input.smsFrom)) throw new Error(`The SMS sender must be an E.164 number or a messaging service SID (MG…): ${input.smsFrom}`);
    return this.db.transaction(async (tx) => {
      const clinic = await this.repo.insertClinic(tx, {
        name: input.name,
        timeZone: input.timeZone,
        phone: input.phone ?? null,
        smsFrom: input.smsFrom ?? null,
        emailFrom: null,
        sendWindowStart: '09:00',
        sendWindowEnd: '20:00',
        createdAt: this.clock.now(),
      });
      await this.audit.record(tx, {
        clinicId: clinic.id,
        actor: SYSTEM,
        action: 'clinic.created',
        entityType: 'clinic',
        entityId: clinic.id,
      });
      const admin = await this.addStaff(tx, clinic.id, SYSTEM, {
        email: input.adminEmail,
        name: input.adminName ?? 'Administrator',
        role: 'admin',
        password: input.adminPassword,
      });
      return { clinic, admin };
    });
  }

  async createStaff(clinicId: string, actor: Actor, input: NewStaff): Promise<StaffUser> {
    return this.db.transaction((tx) => this.addStaff(tx, clinicId, actor, input));
  }

  private async addStaff(tx: EntityManager, clinicId: string, actor: Actor, input: NewStaff): Promise<StaffUser> {
    // The CLI and BOOTSTRAP_* reach here without a DTO: the same password rules as POST /v1/staff.
    const weak = passwordProblem(input.password, [input.email, input.name]);
    if (weak) throw new BadRequestException(weak);
    // Unique within the clinic only (index staff_users_clinic_email_key): whether the address has an
    // account at another clinic is not this admin's to know, and is never consulted here.
    const taken = await this.repo.emailTaken(tx, clinicId, input.email.trim());
    if (taken) throw new ConflictException('A staff member of this clinic already has this email; change their account rather than adding another');
    const user = await this.repo.insertStaff(tx, {
      clinicId,
      email: input.email.trim(),
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      phone: input.phone ?? null,
      active: true,
      mustChangePassword: input.mustChangePassword ?? false,
      createdAt: this.clock.now(),
    });
    await this.audit.record(tx, {
      clinicId,
      actor,
      action: 'staff.created',
      entityType: 'staff_user',
      entityId: user.id,
      data: { role: input.role, ...(input.mustChangePassword ? { mustChangePassword: true } : {}) },
    });
    return staffView(user);
  }

  /**
   * An admin changes a staff member's role, activity or password (a temporary one they must change).
   * A change of role, activity or password ends their browser sessions and revokes their bearer
   * tokens in the same transaction as the audit event (with before and after). The last active
   * admin cannot be deactivated or demoted: the clinic would have no one to manage it.
   */
  async updateStaff(clinicId: string, actor: Actor, id: string, dto: UpdateStaffDto): Promise<StaffUser> {
    for (const key of ['role', 'active', 'temporaryPassword'] as const) {
      if (dto[key] === null) throw new BadRequestException(`${key} cannot be null`);
    }
    return this.db.transaction(async (tx) => {
      // Every active admin of the clinic, in one order: two admins demoting each other wait in turn.
      const admins = await this.repo.lockActiveAdmins(tx, clinicId);
      const staff = await this.repo.lockStaff(tx, clinicId, id);
      if (!staff) throw new NotFoundException('Staff member not found');
      const before = { ...staff };
      if (dto.role !== undefined) staff.role = dto.role;
      if (dto.active !== undefined) staff.active = dto.active;
      const changes = changedFields(before, staff, ['role', 'active']);
      const fields: string[] = Object.keys(changes);
      if (dto.temporaryPassword !== undefined) {
        const weak = passwordProblem(dto.temporaryPassword, [staff.email, staff.name]);
        if (weak) throw new BadRequestException(weak.replace(/^password/, 'temporaryPassword'));
        staff.passwordHash = await hashPassword(dto.temporaryPassword);
        staff.mustChangePassword = true;
        Object.assign(changes, changedFields(before, staff, ['mustChangePassword']));
        fields.push('password');
      }
      if (!fields.length) return staffView(staff);
      const wasActiveAdmin = before.role === 'admin' && before.active;
      if (wasActiveAdmin && !(staff.role === 'admin' && staff.active) && !admins.some((a) => a.id !== staff.id)) {
        throw new ConflictException('This is the last active admin of the clinic: make someone else an admin first');
      }
      await this.repo.updateStaff(tx, clinicId, id, {
        role: staff.role,
        active: staff.active,
        mustChangePassword: staff.mustChangePassword,
        ...(dto.temporaryPassword !== undefined ? { passwordHash: staff.passwordHash } : {}),
      });
      const now = this.clock.now();
      await this.credentials.endSessions(tx, clinicId, id, now, fields.join(', ') + ' changed');
      await this.repo.bumpTokenVersion(tx, clinicId, id);
      await this.audit.record(tx, { clinicId, actor, action: 'staff.updated', entityType: 'staff_user', entityId: id, data: { fields }, changes });
      return staffView({ ...staff, tokenVersion: staff.tokenVersion + 1 });
    });
  }

  async listStaff(clinicId: string): Promise<StaffUser[]> {
    return (await this.repo.listStaff(clinicId)).map(staffView);
  }

  /** The clinic's active staff, by name: who a colleague can hand a case to. Deactivated staff are left out. */
  async staffDirectory(clinicId: string): Promise<Array<Pick<StaffUser, 'id' | 'name' | 'role'>>> {
    return this.repo.staffDirectory(clinicId);
  }

  /** Active staff of a clinic with one of the roles: who gets alerts. */
  staffWithRoles(clinicId: string, roles: StaffRole[], tx: EntityManager = this.db.manager): Promise<StaffUser[]> {
    return this.repo.staffWithRoles(tx, clinicId, roles);
  }

  /** Inside a transaction pass its manager: a second pool connection can deadlock the pool. */
  async findStaff(clinicId: string, id: string, tx?: EntityManager): Promise<StaffUser | null> {
    return this.repo.findStaff(clinicId, id, tx);
  }

  /** These staff members of the clinic (the ones found), in the caller's transaction. */
  staffByIds(tx: EntityManager, clinicId: string, ids: string[]): Promise<StaffUser[]> {
    return ids.length ? this.repo.staffByIds(tx, clinicId, ids) : Promise.resolve([]);
  }

  /** The accounts a sign-in with this (lowercased) email may open: the newest `limit` active ones, of `clinicId` when given. */
  signInCandidates(email: string, limit: number, clinicId: string | null): Promise<SignInCandidateRow[]> {
    return this.repo.signInCandidates(email, limit, clinicId);
  }

  /** These clinics' ids and names, by name (a sign-in asks which one). */
  clinicNames(ids: string[]): Promise<Array<{ id: string; name: string }>> {
    return this.repo.clinicNames(ids);
  }

  /** What a bearer token's check needs of its subject's account, by the staff id alone (the row names the clinic). */
  credentialOf(staffId: string): Promise<StaffCredentialRow | undefined> {
    return this.repo.credentialOf(staffId);
  }

  /** The signed-in staff member with their clinic's name. */
  signedInStaff(clinicId: string, staffId: string): Promise<SignedInStaffRow | undefined> {
    return this.repo.signedInStaff(clinicId, staffId);
  }

  /** A sign-in stamped on the account, in the caller's transaction. */
  stampSignIn(tx: EntityManager, clinicId: string, staffId: string, now: Date): Promise<void> {
    return this.repo.stampSignIn(tx, clinicId, staffId, now);
  }

  /** The staff member's own new password (no longer one to change), and their bearer tokens revoked; in the caller's transaction. */
  async setOwnPassword(tx: EntityManager, clinicId: string, staffId: string, passwordHash: string): Promise<void> {
    await this.repo.setPassword(tx, clinicId, staffId, passwordHash, false);
    await this.repo.bumpTokenVersion(tx, clinicId, staffId);
  }

  /** Inside a transaction pass its manager: a second pool connection can deadlock the pool. */
  async get(clinicId: string, tx: EntityManager = this.db.manager): Promise<Clinic> {
    const clinic = await this.repo.clinicById(tx, clinicId);
    if (!clinic) throw new NotFoundException('Clinic not found');
    return clinic;
  }

  /** Many clinics at once (a dispatcher round), keyed by id; one missing is absent from the map. */
  async getMany(clinicIds: string[], tx: EntityManager = this.db.manager): Promise<Map<string, Clinic>> {
    return new Map((await this.repo.clinicsByIds(tx, clinicIds)).map((c) => [c.id, c]));
  }

  /** The clinic's settings as an admin sees them (send window as HH:mm). */
  async settings(clinicId: string): Promise<Clinic> {
    return settingsView(await this.get(clinicId));
  }

  /** Changes the settings and records which fields changed, in one transaction. */
  async updateSettings(clinicId: string, actor: Actor, dto: UpdateClinicDto): Promise<Clinic> {
    // Optional fields let null through validation; only the senders and phone have a "cleared" state.
    for (const key of ['name', 'timeZone', 'sendWindowStart', 'sendWindowEnd', 'staffLocale'] as const) {
      if (dto[key] === null) throw new BadRequestException(`${key} cannot be null`);
    }
    // The platform's SMTP sends as this address: only domains the operator vouches for (no spoofing).
    if (dto.emailFrom) {
      const domain = dto.emailFrom.slice(dto.emailFrom.lastIndexOf('@') + 1).toLowerCase();
      if (!this.config.emailFromDomains.includes(domain)) {
        throw new BadRequestException(
          `emailFrom must be an address at ${this.config.emailFromDomains.join(' or ')} (the domain of EMAIL_FROM, or one listed in EMAIL_FROM_DOMAINS)`,
        );
      }
    }
    return this.db.transaction(async (tx) => {
      // NO KEY UPDATE: two settings changes still queue, but audit inserts (whose foreign key takes
      // KEY SHARE on this row while holding the clinic's chain lock) are not blocked: no deadlock.
      const clinic = await this.repo.clinicById(tx, clinicId, true);
      if (!clinic) throw new NotFoundException('Clinic not found');
      const current = settingsView(clinic);
      const patch: Partial<Clinic> = {};
      for (const key of ['name', 'timeZone', 'phone', 'smsFrom', 'emailFrom', 'smsName', 'staffLocale', 'sendWindowStart', 'sendWindowEnd', 'escalateUrgentAfterMinutes', 'escalateHighAfterHours'] as const) {
        if (dto[key] !== undefined && dto[key] !== current[key]) (patch as Record<string, unknown>)[key] = dto[key];
      }
      const changed = Object.keys(patch);
      if (!changed.length) return current;
      Object.assign(current, patch);
      // An empty window would never open: nothing could be sent to the clinic's patients.
      if (current.sendWindowStart === current.sendWindowEnd) throw new BadRequestException('sendWindowStart and sendWindowEnd must differ');
      // A new SMS sender (or its removal) is news again: the admins hear once more if it goes missing.
      await this.repo.updateClinic(tx, clinicId, 'smsFrom' in patch ? { ...patch, smsSenderNoticeAt: null } : patch);
      const changes = changedFields(settingsView(clinic), current, changed as Array<keyof Clinic & string>);
      await this.audit.record(tx, { clinicId, actor, action: 'clinic.updated', entityType: 'clinic', entityId: clinicId, data: { fields: changed }, changes });
      return current;
    });
  }

  /**
   * Clinics that receive SMS at this number, or through this messaging service (a clinic may send
   * as `MG…`, and Twilio then posts the number as To and the service separately); those without
   * their own sender use the default one. No clinic id: the SMS webhook asks which clinics the
   * number serves.
   */
  async clinicsForSmsNumber(to: string, defaultFrom: string | undefined, messagingServiceSid?: string): Promise<Clinic[]> {
    const senders = [to, messagingServiceSid].filter((s): s is string => !!s);
    return this.repo.clinicsBySender(senders, !!defaultFrom && senders.includes(defaultFrom));
  }

  /**
   * True once per clinic (until its SMS sender changes): the caller tells the admins the clinic
   * has no SMS sender. Race-safe across instances: the first update wins.
   */
  async claimSmsSenderNotice(tx: EntityManager, clinicId: string): Promise<boolean> {
    return this.repo.claimSmsSenderNotice(tx, clinicId, this.clock.now());
  }

  /** Every clinic, counted: the first-run check (no clinic id to scope by). */
  count(): Promise<number> {
    return this.repo.countClinics();
  }
}

/** A staff member as the API shows them: no password hash, no token version. */
export function staffView(u: StaffUser): StaffUser {
  const { passwordHash: _hash, tokenVersion: _ver, ...rest } = u;
  return rest as StaffUser;
}

function settingsView(clinic: Clinic): Clinic {
  return { ...clinic, sendWindowStart: clinic.sendWindowStart.slice(0, 5), sendWindowEnd: clinic.sendWindowEnd.slice(0, 5) };
}
