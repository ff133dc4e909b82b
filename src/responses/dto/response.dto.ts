import { ApiProperty } from '@nestjs/swagger';
import { MAX_SEVERITY, SEVERITY_LABELS, WARNING_SIGNS } from '../../protocols/questions';
import { SIGN_STATUSES, SignReading, SignStatus } from '../../protocols/sign-reader';
import { Response } from '../response.entity';

/** How one warning sign named in the patient's words was read. */
export class SignReadingDto {
  @ApiProperty({ enum: WARNING_SIGNS }) sign: string;
  @ApiProperty({ enum: SIGN_STATUSES, description: 'present; hedged (unsure, counts as present); negated (said not to be there: does not count)' }) status: SignStatus;
  @ApiProperty({ description: 'The words that named the sign, as the patient wrote them' }) words: string;
  @ApiProperty({ type: String, nullable: true, description: 'The words that negated or hedged it, as written; null when present' }) cue: string | null;
}

const score = { type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY, description: `${SEVERITY_LABELS.map((l, i) => `${i} ${l}`).join(', ')}; null when the answer gave no scores` } as const;

/** A patient's answer to a check-in (by the form or SMS). */
export class ResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty({ format: 'uuid' }) treatmentId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) checkInId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) messageId: string | null;
  @ApiProperty({ enum: ['form', 'sms'] }) source: 'form' | 'sms';
  @ApiProperty(score) bruising: number | null;
  @ApiProperty(score) redness: number | null;
  @ApiProperty(score) itching: number | null;
  @ApiProperty(score) burning: number | null;
  @ApiProperty(score) pain: number | null;
  @ApiProperty({ enum: WARNING_SIGNS, isArray: true }) warningSigns: string[];
  @ApiProperty({
    type: [SignReadingDto],
    description: "Each warning sign named in the patient's words and how it was read, negated ones included (\"no fever\"); empty for answers stored before the reader",
  })
  signReadings: SignReadingDto[];
  @ApiProperty({ type: String, nullable: true }) freeText: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The SMS as the patient sent it' }) rawText: string | null;
  @ApiProperty() daySinceTreatment: number;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export function toResponseDto(r: Response): ResponseDto {
  return {
    id: r.id,
    clinicId: r.clinicId,
    patientId: r.patientId,
    treatmentId: r.treatmentId,
    checkInId: r.checkInId,
    messageId: r.messageId,
    source: r.source,
    bruising: r.bruising,
    redness: r.redness,
    itching: r.itching,
    burning: r.burning,
    pain: r.pain,
    warningSigns: r.warningSigns,
    signReadings: (r.signReadings ?? []).map((x: SignReading) => ({ sign: x.sign, status: x.status, words: x.words, cue: x.cue })),
    freeText: r.freeText,
    rawText: r.rawText,
    daySinceTreatment: r.daySinceTreatment,
    receivedAt: r.receivedAt,
    createdAt: r.createdAt,
  };
}
