import { ApiProperty } from '@nestjs/swagger';
import { AlertSource, OnCallView } from '../on-call.service';

export const ALERT_SOURCES: AlertSource[] = ['rota', 'practitioners', 'admins'];

export class OnCallShiftViewDto {
  @ApiProperty({ format: 'uuid' }) staffUserId: string;
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday the shift starts on: 1 = Monday … 7 = Sunday' }) weekday: number;
  @ApiProperty({ example: '20:00' }) start: string;
  @ApiProperty({ example: '08:00', description: 'Earlier than start: the shift ends the next day' }) end: string;
}

export class OnCallNowDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Who an urgent flag raised now would alert' }) staffUserIds: string[];
  @ApiProperty({ enum: ALERT_SOURCES, description: 'On call by the rota, or the fallback when no one is' }) source: AlertSource;
}

export class OnCallStaffDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['practitioner', 'admin'] }) role: string;
}

/** The clinic's weekly rota (local times in its zone) and who is alerted first now. */
export class OnCallDto {
  @ApiProperty({ example: 'Europe/Madrid' }) timeZone: string;
  @ApiProperty({ type: [OnCallShiftViewDto] }) shifts: OnCallShiftViewDto[];
  @ApiProperty({ type: OnCallNowDto }) now: OnCallNowDto;
  @ApiProperty({ type: [OnCallStaffDto], description: 'The active practitioners and admins, to name the people on the rota' }) staff: OnCallStaffDto[];
}

export function toOnCallDto(v: OnCallView): OnCallDto {
  return {
    timeZone: v.timeZone,
    shifts: v.shifts.map((s) => ({ staffUserId: s.staffUserId, weekday: s.weekday, start: s.start, end: s.end })),
    now: { staffUserIds: v.now.staffUserIds, source: v.now.source },
    staff: v.staff.map((s) => ({ id: s.id, name: s.name, role: s.role })),
  };
}
