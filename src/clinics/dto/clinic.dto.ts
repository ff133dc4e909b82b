import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsE164, IsLocalTime, IsSmsSender, IsTimeZone, SingleLineText } from '../../common/validators';

/** Clinic settings an admin may change; phone, smsFrom and emailFrom may be null to clear them. */
export class UpdateClinicDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) name?: string;

  @ApiPropertyOptional({ example: 'Europe/Madrid', description: 'IANA time zone; patients without their own use it' })
  @IsOptional() @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ example: '+34911234567', description: 'E.164; shown to patients in HELP replies and safety advice', nullable: true })
  @IsOptional() @IsE164()
  phone?: string | null;

  @ApiPropertyOptional({ example: '+34600000000', description: 'SMS sender: E.164 number or messaging service SID (MG…); TWILIO_FROM when null', nullable: true })
  @IsOptional() @IsSmsSender()
  smsFrom?: string | null;

  @ApiPropertyOptional({ example: 'care@clinic.example', description: 'Email sender address; EMAIL_FROM when null', nullable: true })
  @IsOptional() @IsEmail({}, { message: 'emailFrom must be an email address' }) @MaxLength(320)
  emailFrom?: string | null;

  @ApiPropertyOptional({ example: '09:00', description: 'Local time (HH:mm) messages to patients may start' })
  @IsOptional() @IsLocalTime()
  sendWindowStart?: string;

  @ApiPropertyOptional({ example: '20:00', description: 'Local time (HH:mm) they stop; must differ from the start' })
  @IsOptional() @IsLocalTime()
  sendWindowEnd?: string;

  @ApiPropertyOptional({ example: 30, nullable: true, minimum: 1, maximum: 1440, description: "Minutes an urgent flag may wait unacknowledged before every practitioner and admin is alerted; null: the service's default (ESCALATE_URGENT_AFTER_MINUTES)" })
  @IsOptional()
  @IsInt({ message: 'escalateUrgentAfterMinutes must be a whole number of minutes' })
  @Min(1, { message: 'escalateUrgentAfterMinutes must be from 1 to 1440 minutes (24 hours)' })
  @Max(1440, { message: 'escalateUrgentAfterMinutes must be from 1 to 1440 minutes (24 hours)' })
  escalateUrgentAfterMinutes?: number | null;

  @ApiPropertyOptional({ example: 24, nullable: true, minimum: 1, maximum: 720, description: "Hours a high flag may wait unacknowledged before escalation; null: the service's default (ESCALATE_HIGH_AFTER_HOURS)" })
  @IsOptional()
  @IsInt({ message: 'escalateHighAfterHours must be a whole number of hours' })
  @Min(1, { message: 'escalateHighAfterHours must be from 1 to 720 hours (30 days)' })
  @Max(720, { message: 'escalateHighAfterHours must be from 1 to 720 hours (30 days)' })
  escalateHighAfterHours?: number | null;
}
