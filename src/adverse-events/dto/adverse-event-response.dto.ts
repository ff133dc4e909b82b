import { ApiProperty, PickType } from '@nestjs/swagger';
import { CAUSALITIES, Causality, SERIOUSNESS, Seriousness, SERIOUSNESS_CRITERIA, SeriousnessCriterion } from '../../flags/assessment';
import { FLAG_OUTCOMES, FLAG_PRIORITIES, FLAG_STATUSES } from '../../flags/flag.entity';
import { MAX_SEVERITY, SYMPTOMS, WARNING_SIGNS } from '../../protocols/questions';
import { TreatmentDto } from '../../treatments/dto/treatment-response.dto';
import { ADVERSE_EVENT_RULES, AdverseEvent, AdverseEventAnswer } from '../adverse-event';

const maybeAt = { type: String, format: 'date-time', nullable: true } as const;
const score = { type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY } as const;

export class AdverseEventScoresDto {
  @ApiProperty(score) bruising: number | null;
  @ApiProperty(score) redness: number | null;
  @ApiProperty(score) itching: number | null;
  @ApiProperty(score) burning: number | null;
  @ApiProperty(score) pain: number | null;
}

/** One answer behind an adverse event: scores and warning signs only (no free text, no raw SMS). */
export class AdverseEventAnswerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['form', 'sms'] }) source: 'form' | 'sms';
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt: Date;
  @ApiProperty() daySinceTreatment: number;
  @ApiProperty({ type: AdverseEventScoresDto }) scores: AdverseEventScoresDto;
  @ApiProperty({ enum: WARNING_SIGNS, isArray: true }) warningSigns: string[];
}

/** The treatment behind an adverse event: the session's own fields as TreatmentDto shows them, and who performed it. */
export class AdverseEventTreatmentDto extends PickType(TreatmentDto, [
  'procedure',
  'indication',
  'bodyAreas',
  'product',
  'lotNumber',
  'technique',
  'formula',
  'performedAt',
  'practitionerId',
] as const) {
  @ApiProperty({ type: String, nullable: true }) practitionerName: string | null;
}

export class AdverseEventAssessmentDto {
  @ApiProperty({ enum: CAUSALITIES }) causality: Causality;
  @ApiProperty({ enum: SERIOUSNESS }) seriousness: Seriousness;
  @ApiProperty({ enum: SERIOUSNESS_CRITERIA, isArray: true }) seriousnessCriteria: SeriousnessCriterion[];
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) assessedAt: Date;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assessedBy: string | null;
}

/** A flagged reaction with the answers behind it, assessment, dates and the treatment; no contact details. */
export class AdverseEventDto {
  @ApiProperty({ format: 'uuid', description: "The flag's id" }) id: string;
  @ApiProperty({ enum: ADVERSE_EVENT_RULES }) ruleId: string;
  @ApiProperty() ruleVersion: number;
  @ApiProperty({ enum: FLAG_PRIORITIES }) priority: string;
  @ApiProperty({ enum: FLAG_STATUSES }) status: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty({ format: 'uuid' }) treatmentId: string;
  @ApiProperty({ type: AdverseEventTreatmentDto }) treatment: AdverseEventTreatmentDto;
  @ApiProperty({ ...maybeAt, description: 'When the patient first reported it' }) onsetAt: Date | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Days after treatment it was first reported' }) onsetDay: number | null;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the flag was raised' }) reportedAt: Date;
  @ApiProperty(maybeAt) acknowledgedAt: Date | null;
  @ApiProperty(maybeAt) resolvedAt: Date | null;
  @ApiProperty({ enum: FLAG_OUTCOMES, nullable: true }) outcome: string | null;
  @ApiProperty({ type: AdverseEventAssessmentDto, nullable: true }) assessment: AdverseEventAssessmentDto | null;
  @ApiProperty({ type: [AdverseEventAnswerDto] }) answers: AdverseEventAnswerDto[];
}

function toAnswerDto(a: AdverseEventAnswer): AdverseEventAnswerDto {
  return {
    id: a.id,
    source: a.source,
    receivedAt: a.receivedAt,
    daySinceTreatment: a.daySinceTreatment,
    scores: Object.fromEntries(SYMPTOMS.map((s) => [s, a.scores[s]])) as unknown as AdverseEventScoresDto,
    warningSigns: a.warningSigns,
  };
}

export function toAdverseEventDto(e: AdverseEvent): AdverseEventDto {
  const a = e.assessment;
  return {
    id: e.id,
    ruleId: e.ruleId,
    ruleVersion: e.ruleVersion,
    priority: e.priority,
    status: e.status,
    reason: e.reason,
    patientId: e.patientId,
    treatmentId: e.treatmentId,
    // AdverseEvent's treatment holds exactly the DTO's fields.
    treatment: { ...e.treatment },
    onsetAt: e.onsetAt,
    onsetDay: e.onsetDay,
    reportedAt: e.reportedAt,
    acknowledgedAt: e.acknowledgedAt,
    resolvedAt: e.resolvedAt,
    outcome: e.outcome,
    assessment: a && { causality: a.causality, seriousness: a.seriousness, seriousnessCriteria: a.seriousnessCriteria, note: a.note, assessedAt: a.assessedAt, assessedBy: a.assessedBy },
    answers: e.answers.map(toAnswerDto),
  };
}

export class FacetPractitionerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

/** What the log's filters can choose from (among the clinic's adverse events). */
export class AdverseEventFacetsDto {
  @ApiProperty({ type: [String] }) products: string[];
  @ApiProperty({ type: [String] }) lots: string[];
  @ApiProperty({ type: [FacetPractitionerDto] }) practitioners: FacetPractitionerDto[];
}
