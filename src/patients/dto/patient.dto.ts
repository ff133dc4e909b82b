import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { IsE164, IsTimeZone, SingleLineText } from '../../common/validators';
import { LOCALES } from '../../protocols/texts';
import { CHANNELS, Channel } from '../patient.entity';


export class CreatePatientDto {
  @ApiPropertyOptional({ description: "The clinic system's id for this patient; unique per clinic" })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200)
  externalRef?: string;

  @ApiProperty() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) givenName: string;
  @ApiProperty() @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) familyName: string;

  @ApiPropertyOptional({ example: 1988, minimum: 1900, maximum: 2100, description: 'Year of birth (the triage queue shows an age band)' })
  @IsOptional() @IsInt({ message: 'birthYear must be a whole year such as 1988' }) @Min(1900, { message: 'birthYear must be 1900 or later' }) @Max(2100, { message: 'birthYear must be 2100 or earlier' })
  birthYear?: number;

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

export class SearchPatientsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of a name, a phone number (any usual format), an email or an external reference; absent: every patient, newest first', maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200, { message: 'q must be at most 200 characters' })
  q?: string;
}
