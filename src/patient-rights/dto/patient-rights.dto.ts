import { ApiProperty } from '@nestjs/swagger';
import { AuditEventDto, toAuditEventDto } from '../../audit/dto/audit-event.dto';
import { CheckInDto, toCheckInDto } from '../../check-ins/dto/check-in.dto';
import { FlagWithHistoryDto, toFlagWithHistoryDto } from '../../flags/dto/flag-response.dto';
import { Message, MessageChannel, MessagePurpose, MessageStatus, Transport } from '../../messaging/message.entity';
import { PatientDto, toPatientDto } from '../../patients/dto/patient-response.dto';
import { ResponseDto, toResponseDto } from '../../responses/dto/response.dto';
import { toTreatmentDto, TreatmentDto } from '../../treatments/dto/treatment-response.dto';
import type { PatientRightsService } from '../patient-rights.service';

const MESSAGE_PURPOSES: MessagePurpose[] = ['check_in', 'reminder', 'safety_advice', 'clarification', 'staff_alert', 'consent_reply', 'aftercare_instructions', 'reply'];
const MESSAGE_STATUSES: MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled', 'received'];
const TRANSPORTS: Transport[] = ['smtp', 'twilio', 'outbox'];
const maybeAt = { type: String, format: 'date-time', nullable: true } as const;

/** A message to or from the patient, as held (the sending lease is not shown). */
export class ExportedMessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) patientId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) staffUserId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) checkInId: string | null;
  @ApiProperty({ enum: ['out', 'in'] }) direction: 'out' | 'in';
  @ApiProperty({ enum: ['sms', 'email'] }) channel: MessageChannel;
  @ApiProperty({ enum: TRANSPORTS }) transport: Transport;
  @ApiProperty({ enum: MESSAGE_PURPOSES }) purpose: MessagePurpose;
  @ApiProperty() toAddress: string;
  @ApiProperty({ type: String, nullable: true }) fromAddress: string | null;
  @ApiProperty({ type: String, nullable: true }) subject: string | null;
  @ApiProperty() body: string;
  @ApiProperty({ type: String, nullable: true }) html: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: { type: 'string' }, description: 'Extra email headers (List-Unsubscribe)' }) headers: Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true, description: "The provider's message id" }) providerId: string | null;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status: MessageStatus;
  @ApiProperty({ type: String, nullable: true }) errorCode: string | null;
  @ApiProperty({ type: String, nullable: true }) errorMessage: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty(maybeAt) nextAttemptAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export class ChannelConsentDto {
  @ApiProperty(maybeAt) consentAt: Date | null;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
  @ApiProperty(maybeAt) optedOutAt: Date | null;
}

export class ConsentsDto {
  @ApiProperty({ type: ChannelConsentDto }) sms: ChannelConsentDto;
  @ApiProperty({ type: ChannelConsentDto }) email: ChannelConsentDto;
}

export class ExportCountsDto {
  @ApiProperty() treatments: number;
  @ApiProperty() checkIns: number;
  @ApiProperty() responses: number;
  @ApiProperty() messages: number;
  @ApiProperty() flags: number;
  @ApiProperty() auditEvents: number;
  @ApiProperty() photos: number;
}

/** A photo the patient sent, with its bytes (the re-encoded JPEG that is kept; nothing else of the sent file is). */
export class ExportedPhotoDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) responseId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) messageId: string | null;
  @ApiProperty({ enum: ['form', 'mms'] }) source: string;
  @ApiProperty() position: number;
  @ApiProperty({ enum: ['image/jpeg'] }) contentType: string;
  @ApiProperty({ enum: ['image/jpeg', 'image/png', 'image/heic'] }) originalType: string;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
  @ApiProperty() byteSize: number;
  @ApiProperty({ description: 'SHA-256 of the stored JPEG, hex' }) sha256: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'byte', nullable: true, description: 'The JPEG, base64; null if the store no longer has it' }) dataBase64: string | null;
}

/** Everything held about the patient (subject access). */
export class PatientExportDto {
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: PatientDto }) patient: PatientDto;
  @ApiProperty({ type: ConsentsDto }) consents: ConsentsDto;
  @ApiProperty({ type: [TreatmentDto] }) treatments: TreatmentDto[];
  @ApiProperty({ type: [CheckInDto] }) checkIns: CheckInDto[];
  @ApiProperty({ type: [ExportedMessageDto] }) messages: ExportedMessageDto[];
  @ApiProperty({ type: [ResponseDto] }) responses: ResponseDto[];
  @ApiProperty({ type: [FlagWithHistoryDto] }) flags: FlagWithHistoryDto[];
  @ApiProperty({ type: [AuditEventDto] }) auditEvents: AuditEventDto[];
  @ApiProperty({ type: [ExportedPhotoDto] }) photos: ExportedPhotoDto[];
  @ApiProperty({ type: ExportCountsDto }) counts: ExportCountsDto;
}

/** What erasure did. */
export class ErasureDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'What the names were replaced by' }) pseudonym: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) erasedAt: Date | null;
  @ApiProperty({ type: [String], description: 'The patient fields blanked or replaced' }) fields: string[];
  @ApiProperty() cancelledCheckIns: number;
  @ApiProperty() cancelledMessages: number;
  @ApiProperty() erasedMessages: number;
  @ApiProperty({ description: 'Audit payloads blanked (their digests still chain)' }) redactedPayloads: number;
  @ApiProperty({ description: 'Photos deleted (rows and stored bytes)' }) erasedPhotos: number;
}

export class LegalHoldDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: no hold' }) legalHoldAt: Date | null;
  @ApiProperty({ type: String, nullable: true }) legalHoldReason: string | null;
}

export function toExportedMessageDto(m: Message): ExportedMessageDto {
  return {
    id: m.id,
    clinicId: m.clinicId,
    patientId: m.patientId,
    staffUserId: m.staffUserId,
    checkInId: m.checkInId,
    direction: m.direction,
    channel: m.channel,
    transport: m.transport,
    purpose: m.purpose,
    toAddress: m.toAddress,
    fromAddress: m.fromAddress,
    subject: m.subject,
    body: m.body,
    html: m.html,
    headers: m.headers,
    providerId: m.providerId,
    status: m.status,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    attempts: m.attempts,
    nextAttemptAt: m.nextAttemptAt,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

type PatientExport = Awaited<ReturnType<PatientRightsService['export']>>;

export function toPatientExportDto(e: PatientExport): PatientExportDto {
  return {
    exportedAt: e.exportedAt,
    patient: toPatientDto(e.patient),
    consents: { sms: { ...e.consents.sms }, email: { ...e.consents.email } },
    treatments: e.treatments.map(toTreatmentDto),
    checkIns: e.checkIns.map(toCheckInDto),
    messages: e.messages.map(toExportedMessageDto),
    responses: e.responses.map(toResponseDto),
    flags: e.flags.map((f) => toFlagWithHistoryDto(f)),
    auditEvents: e.auditEvents.map(toAuditEventDto),
    photos: e.photos.map((ph) => ({
      id: ph.id,
      responseId: ph.responseId,
      messageId: ph.messageId,
      source: ph.source,
      position: ph.position,
      contentType: ph.contentType,
      originalType: ph.originalType,
      width: ph.width,
      height: ph.height,
      byteSize: ph.byteSize,
      sha256: ph.sha256,
      createdAt: ph.createdAt,
      dataBase64: ph.dataBase64,
    })),
    counts: { ...e.counts },
  };
}

export function toErasureDto(e: Awaited<ReturnType<PatientRightsService['erase']>>): ErasureDto {
  return {
    id: e.id,
    pseudonym: e.pseudonym,
    erasedAt: e.erasedAt,
    fields: e.fields,
    cancelledCheckIns: e.cancelledCheckIns,
    cancelledMessages: e.cancelledMessages,
    erasedMessages: e.erasedMessages,
    redactedPayloads: e.redactedPayloads,
    erasedPhotos: e.erasedPhotos,
  };
}

export function toLegalHoldDto(h: Awaited<ReturnType<PatientRightsService['legalHold']>>): LegalHoldDto {
  return { id: h.id, legalHoldAt: h.legalHoldAt, legalHoldReason: h.legalHoldReason };
}
