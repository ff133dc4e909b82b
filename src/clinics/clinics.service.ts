import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, AuditService, SYSTEM } from '../audit/audit.service';
import { hashPassword } from '../auth/passwords';
import { isValidTimeZone } from '../check-ins/planner';
import { Clock } from '../common/clock';
import { Clinic } from './clinic.entity';
import { StaffRole, StaffUser } from './staff-user.entity';

export interface NewStaff {
  email: string;
  name: string;
  role: StaffRole;
  password: string;
  phone?: string | null;
}

@Injectable()
export class ClinicsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
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
    return this.db.transaction(async (m) => {
      const clinic = await m.getRepository(Clinic).save(
        m.getRepository(Clinic).create({
          name: input.name,
          timeZone: input.timeZone,
          phone: input.phone ?? null,
          smsFrom: input.smsFrom ?? null,
          emailFrom: null,
          sendWindowStart: '09:00',
          sendWindowEnd: '20:00',
          createdAt: this.clock.now(),
        }),
      );
      await this.audit.record(m, {
        clinicId: clinic.id,
        actor: SYSTEM,
        action: 'clinic.created',
        entityType: 'clinic',
        entityId: clinic.id,
      });
      const admin = await this.addStaff(m, clinic.id, SYSTEM, {
        email: input.adminEmail,
        name: input.adminName ?? 'Administrator',
        role: 'admin',
        password: input.adminPassword,
      });
      return { clinic, admin };
    });
  }

  async createStaff(clinicId: string, actor: Actor, input: NewStaff): Promise<StaffUser> {
    return this.db.transaction((m) => this.addStaff(m, clinicId, actor, input));
  }

  private async addStaff(m: EntityManager, clinicId: string, actor: Actor, input: NewStaff): Promise<StaffUser> {
    const taken = await m
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: input.email })
      .getExists();
    if (taken) throw new ConflictException('A staff user with this email already exists');
    const repo = m.getRepository(StaffUser);
    const user = await repo.save(
      repo.create({
        clinicId,
        email: input.email.trim(),
        name: input.name,
        role: input.role,
        passwordHash: await hashPassword(input.password),
        phone: input.phone ?? null,
        active: true,
        createdAt: this.clock.now(),
      }),
    );
    await this.audit.record(m, {
      clinicId,
      actor,
      action: 'staff.created',
      entityType: 'staff_user',
      entityId: user.id,
      data: { role: input.role },
    });
    delete (user as Partial<StaffUser>).passwordHash;
    return user;
  }

  listStaff(clinicId: string): Promise<StaffUser[]> {
    return this.db.getRepository(StaffUser).find({ where: { clinicId }, order: { createdAt: 'ASC' } });
  }

  /** Active staff of a clinic with one of the roles: who gets alerts. */
  staffWithRoles(clinicId: string, roles: StaffRole[]): Promise<StaffUser[]> {
    return this.db
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .where('u.clinic_id = :clinicId AND u.active AND u.role IN (:...roles)', { clinicId, roles })
      .orderBy('u.created_at')
      .getMany();
  }

  async findStaff(clinicId: string, id: string): Promise<StaffUser | null> {
    return this.db.getRepository(StaffUser).findOneBy({ clinicId, id });
  }

  async get(clinicId: string): Promise<Clinic> {
    const clinic = await this.db.getRepository(Clinic).findOneBy({ id: clinicId });
    if (!clinic) throw new NotFoundException('Clinic not found');
    return clinic;
  }

  /** Clinics that receive SMS at this number; those without their own number use the default sender. */
  async clinicsForSmsNumber(to: string, defaultFrom: string | undefined): Promise<Clinic[]> {
    const qb = this.db.getRepository(Clinic).createQueryBuilder('c').where('c.sms_from = :to', { to });
    if (defaultFrom && defaultFrom === to) qb.orWhere('c.sms_from IS NULL');
    return qb.getMany();
  }

  count(): Promise<number> {
    return this.db.getRepository(Clinic).count();
  }
}
