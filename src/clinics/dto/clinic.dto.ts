import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
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
}
