import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import { ACTOR_TYPES, ActorType } from '../../common/actor';
import type { ListedAuditEvent } from '../audit-log.service';
import { FieldChanges } from '../field-changes';

export class FieldChangeDto {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array', items: {} }], nullable: true, description: 'The value before (any JSON value)' }) from: unknown;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array', items: {} }], nullable: true, description: 'The value after (any JSON value)' }) to: unknown;
}

/** One event of the clinic's hash-chained audit log, with its redactable payload (changes, reason). */
@ApiExtraModels(FieldChangeDto)
export class AuditEventDto {
  @ApiProperty({ description: 'Global insertion order (a bigint, as a string)', example: '1042' }) seq: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) clinicId: string | null;
  @ApiProperty({ description: "The event's place in its clinic's chain (a bigint, as a string)", example: '17' }) clinicSeq: string;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt: Date;
  @ApiProperty({ enum: ACTOR_TYPES }) actorType: ActorType;
  @ApiProperty({ type: String, nullable: true }) actorId: string | null;
  @ApiProperty({ example: 'flag.resolved' }) action: string;
  @ApiProperty({ example: 'flag' }) entityType: string;
  @ApiProperty({ type: String, nullable: true }) entityId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Ids and field names only, covered by the chain' }) data: Record<string, unknown>;
  @ApiProperty({ description: "The previous event's hash (SHA-256, hex)" }) prevHash: string;
  @ApiProperty({ description: "This event's hash (SHA-256, hex)" }) hash: string;
  @ApiProperty({ type: String, nullable: true, description: "SHA-256 of the payload's canonical JSON; null: no payload" }) payloadDigest: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: { $ref: '#/components/schemas/FieldChangeDto' }, description: 'Old and new value of each changed field' })
  changes: FieldChanges | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When erasure blanked the payload' }) payloadRedactedAt: Date | null;
}

/** The erasure event that blanked a payload (its chained data lists the event's sequence number). */
export class ClaimingErasureDto {
  @ApiProperty({ example: '42' }) clinicSeq: string;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt: Date;
  @ApiProperty({ type: String, nullable: true, description: 'The erased patient' }) entityId: string | null;
}

/** An event as the audit log lists it: with the acting staff member's name and, when redacted, the erasure that claims it. */
export class ListedAuditEventDto extends AuditEventDto {
  @ApiProperty({ type: String, nullable: true, description: "The staff member's name (actorType staff)" }) actorName: string | null;
  @ApiProperty({ type: ClaimingErasureDto, nullable: true, description: 'Redacted payloads: the patient.erased event that claims this one; null otherwise or when none does (verification then fails)' })
  redactedBy: ClaimingErasureDto | null;
}

export function toAuditEventDto(e: ListedAuditEvent): AuditEventDto {
  return {
    seq: e.seq,
    clinicId: e.clinicId,
    clinicSeq: e.clinicSeq,
    occurredAt: e.occurredAt,
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    data: e.data,
    prevHash: e.prevHash,
    hash: e.hash,
    payloadDigest: e.payloadDigest,
    changes: e.changes,
    reason: e.reason,
    payloadRedactedAt: e.payloadRedactedAt,
  };
}
