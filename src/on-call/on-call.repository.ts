import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { OnCallShift } from './on-call-shift.entity';

/** A shift as stored: local start and end times ("HH:MM:SS") on a weekday of the clinic. */
export interface ShiftRow {
  staffUserId: string;
  weekday: number;
  startTime: string;
  endTime: string;
}

/** Every query on on_call_shifts, by clinic. */
@Injectable()
export class OnCallRepository {
  shiftsOf(manager: EntityManager, clinicId: string): Promise<ShiftRow[]> {
    return queryRows<ShiftRow>(
      manager,
      `SELECT staff_user_id AS "staffUserId", weekday, start_time AS "startTime", end_time AS "endTime" FROM on_call_shifts WHERE clinic_id = $1`,
      [clinicId],
    );
  }

  /** The clinic's rota replaced by `shifts`, in the caller's transaction. */
  async replace(manager: EntityManager, clinicId: string, shifts: ShiftRow[], now: Date): Promise<void> {
    await manager.delete(OnCallShift, { clinicId });
    if (shifts.length) await manager.getRepository(OnCallShift).insert(shifts.map((s) => ({ clinicId, ...s, createdAt: now })));
  }
}
