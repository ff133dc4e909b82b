import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { FLAG_OUTCOMES, FLAG_PRIORITIES, FlagOutcome } from '../../flags/flag.entity';

const QUEUE_STATUSES = ['open', 'acknowledged'] as const;

export class ListCasesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: QUEUE_STATUSES, description: 'Absent: open and acknowledged cases' })
  @IsOptional() @IsIn(QUEUE_STATUSES, { message: 'status must be open or acknowledged' })
  status?: (typeof QUEUE_STATUSES)[number];

  @ApiPropertyOptional({ enum: FLAG_PRIORITIES, description: "The case's highest priority" })
  @IsOptional() @IsIn(FLAG_PRIORITIES, { message: `priority must be one of ${FLAG_PRIORITIES.join(', ')}` })
  priority?: (typeof FLAG_PRIORITIES)[number];

  @ApiPropertyOptional({ description: '"me", "none" (unassigned) or a staff id', example: 'me' })
  @IsOptional() @Matches(/^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/i, { message: 'assignee must be "me", "none" or a staff id (UUID)' })
  assignee?: string;

  @ApiPropertyOptional({ description: 'Cases with a flag of this rule, e.g. warning-sign, late-onset', example: 'warning-sign' })
  @IsOptional() @IsString() @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'rule must be a rule id such as warning-sign' })
  rule?: string;
}

export class AcknowledgeCaseDto {
  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional() @IsString() @MaxLength(4000)
  note?: string;
}

export class ResolveCaseDto {
  @ApiProperty({ enum: FLAG_OUTCOMES })
  @IsIn(FLAG_OUTCOMES, { message: `outcome must be one of ${FLAG_OUTCOMES.join(', ')}` })
  outcome: FlagOutcome;

  @ApiProperty({ maxLength: 4000, description: 'What was done and why' })
  @IsString() @MinLength(1, { message: 'note must not be empty' }) @MaxLength(4000)
  note: string;
}

export class AssignCaseDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'An active practitioner or admin of the clinic; null unassigns' })
  @ValidateIf((_o, v) => v !== null)
  @IsUUID('4', { message: 'staffId must be a UUID or null' })
  staffId: string | null;
}

// --- Responses ---

export class CasePatientDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Ana García' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: '30–39', description: 'By the birth year, when the clinic recorded one' }) ageBand: string | null;
}

export class CaseTreatmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() procedure: string;
  @ApiProperty() product: string;
  @ApiProperty({ format: 'date-time' }) performedAt: string;
  @ApiProperty({ description: "Days since it, by the clinic's calendar (0 on the day)" }) day: number;
}

export class CaseAssigneeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class CaseFlagDto {
  @ApiProperty({ format: 'uuid' }) flagId: string;
  @ApiProperty({ example: 'late-onset' }) ruleId: string;
  @ApiProperty({ example: 'Late onset', description: 'The rule in plain words' }) rule: string;
  @ApiProperty({ enum: FLAG_PRIORITIES }) priority: string;
  @ApiProperty({ enum: ['open', 'acknowledged', 'resolved'] }) status: string;
  @ApiProperty({ description: 'The latest reason, in plain words' }) reason: string;
  @ApiProperty({ format: 'date-time' }) raisedAt: string;
  @ApiProperty({ format: 'date-time', description: 'When its latest evidence came' }) lastEvidenceAt: string;
}

export class CaseEvidenceDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ format: 'uuid' }) flagId: string;
  @ApiProperty() ruleId: string;
  @ApiProperty() rule: string;
  @ApiProperty({ enum: FLAG_PRIORITIES }) priority: string;
  @ApiProperty() reason: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) responseId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) messageId: string | null;
}

export class CaseDto {
  @ApiProperty({ format: 'uuid', description: "The case's id: the id of its first flag" }) id: string;
  @ApiProperty({ enum: ['open', 'acknowledged', 'resolved'], description: 'open while any flag is open; acknowledged when all unresolved ones are; resolved when none is left' }) status: string;
  @ApiProperty({ enum: FLAG_PRIORITIES, description: 'The highest priority of its unresolved flags' }) priority: string;
  @ApiProperty({ type: CasePatientDto }) patient: CasePatientDto;
  @ApiProperty({ type: CaseTreatmentDto, nullable: true, description: 'The treatment of its newest flag' }) treatment: CaseTreatmentDto | null;
  @ApiProperty({ type: [String], description: 'Every rule, in plain words, most urgent first' }) rules: string[];
  @ApiProperty({ type: [CaseFlagDto], description: 'Its flags (unresolved ones; every one on a resolved case), most urgent first' }) flags: CaseFlagDto[];
  @ApiProperty({ type: [CaseEvidenceDto], description: 'Every piece of evidence, newest first' }) evidence: CaseEvidenceDto[];
  @ApiProperty({ format: 'date-time', description: 'Since its oldest unresolved flag was raised' }) waitingSince: string;
  @ApiProperty({ type: CaseAssigneeDto, nullable: true }) assignee: CaseAssigneeDto | null;
}

export class CasePriorityCountsDto {
  @ApiProperty() urgent: number;
  @ApiProperty() high: number;
  @ApiProperty() normal: number;
  @ApiProperty() low: number;
}

export class CaseQueueDto {
  @ApiProperty({ type: [CaseDto] }) items: CaseDto[];
  @ApiProperty({ description: 'Cases under every filter' }) total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ type: CasePriorityCountsDto, description: 'Cases per priority under the status filter alone (for the page title)' }) counts: CasePriorityCountsDto;
}

export class FlagHistoryEntryDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'acknowledged' }) kind: string;
  @ApiProperty({ enum: ['staff', 'integration', 'system', 'patient'] }) actorType: string;
  @ApiProperty({ type: String, nullable: true }) actorId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
}

export class CaseFlagDetailDto extends CaseFlagDto {
  @ApiProperty({ type: [FlagHistoryEntryDto], description: "The flag's history, in time order" }) history: FlagHistoryEntryDto[];
}

export class CaseDetailDto extends CaseDto {
  @ApiProperty({ type: [String], format: 'uuid', description: "Every flag ever in the case, oldest first" }) flagIds: string[];
  @ApiProperty({ type: [CaseFlagDetailDto] }) declare flags: CaseFlagDetailDto[];
}

export class CaseActionResultDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'The flags this action changed' }) flagIds: string[];
  @ApiProperty({ type: CaseDetailDto }) case: CaseDetailDto;
}
