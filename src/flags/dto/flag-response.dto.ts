import { PhotoLinkDto } from '../../photos/dto/photo.dto';
import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_TYPES, ActorType } from '../../common/actor';
import { CAUSALITIES, Causality, SERIOUSNESS, Seriousness, SERIOUSNESS_CRITERIA, SeriousnessCriterion } from '../assessment';
import { FLAG_EVENT_KINDS, FlagEvent, FlagEventKind } from '../flag-event.entity';
import { Flag, FLAG_OUTCOMES, FLAG_PRIORITIES, FLAG_STATUSES, FlagOutcome, FlagStatus } from '../flag.entity';

const maybeAt = { type: String, format: 'date-time', nullable: true } as const;
const maybeId = { type: String, format: 'uuid', nullable: true } as const;
const json = { type: 'object', additionalProperties: true } as const;

/** A flag for triage: why it was raised, its state and its assessment. */
export class FlagDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty(maybeId) treatmentId: string | null;
  @ApiProperty(maybeId) responseId: string | null;
  @ApiProperty(maybeId) messageId: string | null;
  @ApiProperty({ ...maybeId, description: 'The case it belongs to (one per patient and course): the case actions and GET /v1/cases/:id take it' }) caseId: string | null;
  @ApiProperty({ description: 'The rule that raised it' }) ruleId: string;
  @ApiProperty() ruleVersion: number;
  @ApiProperty({ enum: FLAG_PRIORITIES }) priority: (typeof FLAG_PRIORITIES)[number];
  @ApiProperty() reason: string;
  @ApiProperty({ ...json, description: 'What the rule saw: scores, warning signs, days, and the history of evidence joined since' }) evidence: Record<string, unknown>;
  @ApiProperty({ enum: FLAG_STATUSES }) status: FlagStatus;
  @ApiProperty(maybeId) assigneeId: string | null;
  @ApiProperty(maybeAt) acknowledgedAt: Date | null;
  @ApiProperty(maybeId) acknowledgedBy: string | null;
  @ApiProperty(maybeAt) resolvedAt: Date | null;
  @ApiProperty(maybeId) resolvedBy: string | null;
  @ApiProperty({ enum: FLAG_OUTCOMES, nullable: true }) outcome: FlagOutcome | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ enum: CAUSALITIES, nullable: true }) causality: Causality | null;
  @ApiProperty({ enum: SERIOUSNESS, nullable: true }) seriousness: Seriousness | null;
  @ApiProperty({ enum: SERIOUSNESS_CRITERIA, isArray: true }) seriousnessCriteria: SeriousnessCriterion[];
  @ApiProperty({ type: String, nullable: true }) assessmentNote: string | null;
  @ApiProperty(maybeAt) assessedAt: Date | null;
  @ApiProperty(maybeId) assessedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

/** One step in a flag's history. */
export class FlagEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) flagId: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ type: String, format: 'date-time' }) at: Date;
  @ApiProperty({ enum: ACTOR_TYPES }) actorType: ActorType;
  @ApiProperty({ type: String, nullable: true }) actorId: string | null;
  @ApiProperty({ enum: FLAG_EVENT_KINDS }) kind: FlagEventKind;
  @ApiProperty(json) data: Record<string, unknown>;
}

/** A flag with its history in time order. */
export class FlagWithHistoryDto extends FlagDto {
  @ApiProperty({ type: [FlagEventDto] }) history: FlagEventDto[];
  @ApiProperty({ type: [PhotoLinkDto], description: 'Photos sent with the answer (or text) the flag was raised on; links expire after a few minutes' })
  photos: PhotoLinkDto[];
}

export function toFlagDto(f: Flag): FlagDto {
  return {
    id: f.id,
    clinicId: f.clinicId,
    patientId: f.patientId,
    treatmentId: f.treatmentId,
    responseId: f.responseId,
    messageId: f.messageId,
    caseId: f.caseId,
    ruleId: f.ruleId,
    ruleVersion: f.ruleVersion,
    priority: f.priority,
    reason: f.reason,
    evidence: f.evidence,
    status: f.status,
    assigneeId: f.assigneeId,
    acknowledgedAt: f.acknowledgedAt,
    acknowledgedBy: f.acknowledgedBy,
    resolvedAt: f.resolvedAt,
    resolvedBy: f.resolvedBy,
    outcome: f.outcome,
    note: f.note,
    causality: f.causality,
    seriousness: f.seriousness,
    seriousnessCriteria: f.seriousnessCriteria,
    assessmentNote: f.assessmentNote,
    assessedAt: f.assessedAt,
    assessedBy: f.assessedBy,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

export function toFlagEventDto(e: FlagEvent): FlagEventDto {
  return { id: e.id, flagId: e.flagId, clinicId: e.clinicId, at: e.at, actorType: e.actorType, actorId: e.actorId, kind: e.kind, data: e.data };
}

export function toFlagWithHistoryDto(f: Flag & { history: FlagEvent[] }, photos: PhotoLinkDto[] = []): FlagWithHistoryDto {
  return { ...toFlagDto(f), history: f.history.map(toFlagEventDto), photos };
}
