import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsE164, IsTimeZone, SingleLineText } from '../../common/validators';
import { LOCALES } from '../../protocols/texts';
import { CHANNELS, Channel } from '../patient.entity';


export class CreatePatientDto {
  @ApiPropertyOptional({ description: "The clinic system's id for this patient; unique per clinic" })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200)
  externalRef?: string;

  @ApiProperty() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) givenName: string;
  @ApiProperty() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) familyName: string;

  @ApiPropertyOptional({ example: 'ana@example.com' })
  @IsOptional() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+447700900123', description: 'E.164' })
  @IsOptional() @IsE164()
  phone?: string;

  @ApiPropertyOptional({ example: 'Europe/Madrid', description: "IANA time zone; the clinic's when absent" })
  @IsOptional() @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ enum: LOCALES, default: 'en' })
  @IsOptional() @IsIn(LOCALES, { message: `locale must be one of ${LOCALES.join(', ')}` })
  locale?: string;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Defaults to sms when a phone is given, else email' })
  @IsOptional() @IsIn(CHANNELS, { message: 'preferredChannel must be sms or email' })
  preferredChannel?: Channel;

  @ApiPropertyOptional({ description: 'The patient agreed to check-ins by SMS' })
  @IsOptional() @IsBoolean()
  smsConsent?: boolean;

  @ApiPropertyOptional({ description: 'The patient agreed to check-ins by email' })
  @IsOptional() @IsBoolean()
  emailConsent?: boolean;

  @ApiPropertyOptional({ description: 'Where consent was given, e.g. "intake form v3"', example: 'intake form' })
  @IsOptional() @IsString() @SingleLineText() @MaxLength(200)
  consentSource?: string;
}

export class UpdatePatientDto extends PartialType(CreatePatientDto) {}
