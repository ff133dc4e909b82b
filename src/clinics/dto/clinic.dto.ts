import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, registerDecorator } from 'class-validator';
import { isGsm7 } from '../../common/sms-segments';
import { LOCALES, Locale } from '../../protocols/texts/catalogue';
import { SMS_NAME_MAX } from '../../protocols/texts';
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

  @ApiPropertyOptional({
    example: 'Clinica Sol',
    maxLength: SMS_NAME_MAX,
    nullable: true,
    description: `How patients' SMS name the clinic: up to ${SMS_NAME_MAX} characters of the GSM-7 SMS alphabet, so every SMS keeps to two segments; null: made from the name`,
  })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1) @MaxLength(SMS_NAME_MAX) @IsGsm7Text()
  smsName?: string | null;

  @ApiPropertyOptional({ enum: LOCALES, description: 'The language staff alerts and escalations are written in' })
  @IsOptional() @IsIn(LOCALES, { message: `staffLocale must be one of ${LOCALES.join(', ')}` })
  staffLocale?: Locale;

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

/** Only characters of the GSM-7 SMS alphabet: anything else turns every SMS into UCS-2, at two to three times the segments. */
function IsGsm7Text() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isGsm7Text',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must use only the GSM-7 SMS alphabet (Latin letters, digits, common punctuation; no emoji or other scripts)` },
      validator: { validate: (value: unknown) => typeof value !== 'string' || isGsm7(value) },
    });
}
