import { ApiProperty } from '@nestjs/swagger';
import { CHANNELS, Channel } from '../../patients/patient.entity';
import { CheckIn } from '../check-in.entity';
import { CHECK_IN_STATUSES, CheckInStatus } from '../check-in-status';

const at = { type: String, format: 'date-time' } as const;
const maybeAt = { type: String, format: 'date-time', nullable: true } as const;

/** A planned or sent check-in (the dispatcher's lease columns are never shown). */
export class CheckInDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ format: 'uuid', description: 'The session the check-in was planned for' }) treatmentId: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty({ description: "The protocol step (extra check-ins number after the protocol's)" }) step: number;
  @ApiProperty({ description: 'Days after the session' }) dayOffset: number;
  @ApiProperty(at) dueAt: Date;
  @ApiProperty(at) expiresAt: Date;
  @ApiProperty(maybeAt) remindAt: Date | null;
  @ApiProperty({ enum: CHECK_IN_STATUSES }) status: CheckInStatus;
  @ApiProperty({ enum: CHANNELS, nullable: true }) channel: Channel | null;
  @ApiProperty() attempts: number;
  @ApiProperty(at) nextAttemptAt: Date;
  @ApiProperty(maybeAt) sentAt: Date | null;
  @ApiProperty(maybeAt) reminderSentAt: Date | null;
  @ApiProperty(maybeAt) answeredAt: Date | null;
  @ApiProperty() clarificationsSent: number;
  @ApiProperty({ enum: CHANNELS, nullable: true, description: 'Set when it failed for good on this channel and moved to the other' }) fallbackFrom: Channel | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Set on an extra check-in asked for from this flag' }) requestedByFlagId: string | null;
  @ApiProperty(at) createdAt: Date;
}

/** A check-in with every session it counts for (a merged check-in counts for several). */
export class CourseCheckInDto extends CheckInDto {
  @ApiProperty({ type: [String], format: 'uuid' }) treatmentIds: string[];
}

export function toCheckInDto(c: CheckIn): CheckInDto {
  return {
    id: c.id,
    clinicId: c.clinicId,
    treatmentId: c.treatmentId,
    patientId: c.patientId,
    step: c.step,
    dayOffset: c.dayOffset,
    dueAt: c.dueAt,
    expiresAt: c.expiresAt,
    remindAt: c.remindAt,
    status: c.status,
    channel: c.channel,
    attempts: c.attempts,
    nextAttemptAt: c.nextAttemptAt,
    sentAt: c.sentAt,
    reminderSentAt: c.reminderSentAt,
    answeredAt: c.answeredAt,
    clarificationsSent: c.clarificationsSent,
    fallbackFrom: c.fallbackFrom,
    lastError: c.lastError,
    requestedByFlagId: c.requestedByFlagId,
    createdAt: c.createdAt,
  };
}

export function toCourseCheckInDto(c: CheckIn & { treatmentIds: string[] }): CourseCheckInDto {
  return { ...toCheckInDto(c), treatmentIds: c.treatmentIds };
}
