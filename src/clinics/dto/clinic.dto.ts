import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength, registerDecorator } from 'class-validator';
import { isGsm7 } from '../../messaging/sms-segments';
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
