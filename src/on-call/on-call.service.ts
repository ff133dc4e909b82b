import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { changedFields } from '../audit/field-changes';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { StaffUser } from '../clinics/staff-user.entity';
import { Clock } from '../common/clock';
import { lockKey } from '../database/advisory-lock';
import { PutOnCallDto } from './dto/on-call.dto';
import { OnCallRepository } from './on-call.repository';
import { onCallAt, Shift, shiftErrors, sortShifts } from './rota';

/** Why these people get an urgent alert: on call by the rota, or the fallback when no one is. */
export type AlertSource = 'rota' | 'practitioners' | 'admins';

export interface OnCallView {
  timeZone: string;
  shifts: Shift[];
  /** Who an urgent flag raised now would alert, and why. */
  now: { staffUserIds: string[]; source: AlertSource };
  /** Names of the practitioners and admins who can be on call (the console shows names, not ids). */
  staff: { id: string; name: string; role: string }[];
}

const ALERTABLE = ['practitioner', 'admin'] as const;

/** Decides who is alerted first when an urgent flag is raised: the clinic's weekly on-call rota, kept here. */
@Injectable()
export class OnCallService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: OnCallRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
  ) {}

  async rota(clinicId: string): Promise<OnCallView> {
    const clinic = await this.clinics.get(clinicId);
    const shifts = await this.shiftsOf(this.db.manager, clinicId);
    const now = await this.recipientsAt(this.db.manager, clinic, this.clock.now());
    const staff = await this.clinics.staffWithRoles(clinicId, [...ALERTABLE], this.db.manager);
    return {
      timeZone: clinic.timeZone,
      shifts,
      now: { staffUserIds: now.staff.map((s) => s.id), source: now.source },
      staff: staff.map((s) => ({ id: s.id, name: s.name, role: s.role })),
    };
  }

  /** Replaces the whole rota; every person on it must be an active practitioner or admin of the clinic. */
  async replace(clinicId: string, actor: Actor, dto: PutOnCallDto): Promise<OnCallView> {
    const given: Shift[] = dto.shifts.map((s) => ({ staffUserId: s.staffUserId, weekday: s.weekday, start: s.start, end: s.end }));
    const errors = given.flatMap((s, i) => shiftErrors(s, i));
    if (errors.length) throw new BadRequestException(errors);
    const next = sortShifts(given);
    await this.db.transaction(async (tx) => {
      // Two admins saving at once: one rota wins whole, never a mix of both.
      await lockKey(tx, `on-call:${clinicId}`);
      const ids = [...new Set(next.map((s) => s.staffUserId))];
      const staff = await this.clinics.staffByIds(tx, clinicId, ids);
      for (const id of ids) {
        const s = staff.find((x) => x.id === id);
        if (!s) throw new NotFoundException(`Staff user ${id} not found in this clinic`);
        if (!s.active) throw new BadRequestException(`Staff user ${id} is not active`);
        if (!(ALERTABLE as readonly string[]).includes(s.role)) throw new BadRequestException(`Staff user ${id} must be a practitioner or an admin to be on call`);
      }
      const before = await this.shiftsOf(tx, clinicId);
      const changes = changedFields({ shifts: before }, { shifts: next }, ['shifts']);
      if (!Object.keys(changes).length) return;
      await this.repo.replace(tx, clinicId, next.map((s) => ({ staffUserId: s.staffUserId, weekday: s.weekday, startTime: s.start, endTime: s.end })), this.clock.now());
      await this.audit.record(tx, {
        clinicId,
        actor,
        action: 'on_call.replaced',
        entityType: 'clinic',
        entityId: clinicId,
        data: { fields: ['shifts'], shiftCount: next.length, staffUserIds: ids },
        changes,
      });
    });
    return this.rota(clinicId);
  }

  /**
   * Who gets an urgent alert at `at`: the active practitioners and admins on call by the rota,
   * else every active practitioner, else the admins. Read in the caller's transaction.
   */
  async recipientsAt(manager: EntityManager, clinic: Clinic, at: Date): Promise<{ staff: StaffUser[]; source: AlertSource }> {
    const onCall = onCallAt(await this.shiftsOf(manager, clinic.id), clinic.timeZone, at);
    if (onCall.length) {
      const eligible = await this.clinics.staffWithRoles(clinic.id, [...ALERTABLE], manager);
      const staff = onCall.map((id) => eligible.find((s) => s.id === id)).filter((s): s is StaffUser => !!s);
      if (staff.length) return { staff, source: 'rota' };
    }
    const practitioners = await this.clinics.staffWithRoles(clinic.id, ['practitioner'], manager);
    if (practitioners.length) return { staff: practitioners, source: 'practitioners' };
    return { staff: await this.clinics.staffWithRoles(clinic.id, ['admin'], manager), source: 'admins' };
  }

  private async shiftsOf(manager: EntityManager, clinicId: string): Promise<Shift[]> {
    const rows = await this.repo.shiftsOf(manager, clinicId);
    return sortShifts(rows.map((r) => ({ staffUserId: r.staffUserId, weekday: r.weekday, start: r.startTime.slice(0, 5), end: r.endTime.slice(0, 5) })));
  }
}
