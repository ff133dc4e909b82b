import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../common/pagination';
import { LOCALES } from '../../protocols/texts';
import { CHANNELS, Channel, Patient } from '../patient.entity';

const when = (description?: string) => ({ type: String, format: 'date-time', nullable: true, ...(description ? { description } : {}) });

/** A patient as the API shows it. */
export class PatientDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ type: String, nullable: true, description: "The clinic system's id for this patient" }) externalRef: string | null;
  @ApiProperty() givenName: string;
  @ApiProperty() familyName: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Year of birth, for the age band staff see' }) birthYear: number | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'E.164' }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, description: "IANA time zone; null: the clinic's" }) timeZone: string | null;
  @ApiProperty({ enum: LOCALES }) locale: string;
  @ApiProperty({ enum: CHANNELS }) preferredChannel: Channel;
  @ApiProperty(when()) smsConsentAt: Date | null;
  @ApiProperty({ type: String, nullable: true }) smsConsentSource: string | null;
  @ApiProperty(when()) smsOptedOutAt: Date | null;
  @ApiProperty(when()) emailConsentAt: Date | null;
  @ApiProperty({ type: String, nullable: true }) emailConsentSource: string | null;
  @ApiProperty(when()) emailOptedOutAt: Date | null;
  @ApiProperty(when('A provider said the number cannot receive messages')) smsInvalidAt: Date | null;
  @ApiProperty(when('A provider said the address cannot receive messages')) emailInvalidAt: Date | null;
  @ApiProperty(when('Erased on request: names are a pseudonym, contact details gone')) erasedAt: Date | null;
  @ApiProperty(when('Under a legal hold erasure is refused')) legalHoldAt: Date | null;
  @ApiProperty({ type: String, nullable: true }) legalHoldReason: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export function toPatientDto(p: Patient): PatientDto {
  return {
    id: p.id,
    clinicId: p.clinicId,
    externalRef: p.externalRef,
    givenName: p.givenName,
    familyName: p.familyName,
    birthYear: p.birthYear ?? null,
    email: p.email,
    phone: p.phone,
    timeZone: p.timeZone,
    locale: p.locale,
    preferredChannel: p.preferredChannel,
    smsConsentAt: p.smsConsentAt,
    smsConsentSource: p.smsConsentSource,
    smsOptedOutAt: p.smsOptedOutAt,
    emailConsentAt: p.emailConsentAt,
    emailConsentSource: p.emailConsentSource,
    emailOptedOutAt: p.emailOptedOutAt,
    smsInvalidAt: p.smsInvalidAt,
    emailInvalidAt: p.emailInvalidAt,
    erasedAt: p.erasedAt,
    legalHoldAt: p.legalHoldAt,
    legalHoldReason: p.legalHoldReason,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export class PatientPage extends PageOf(PatientDto) {}
