import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { SingleLineText } from '../../common/validators';
import { CAUSALITIES, SERIOUSNESS } from '../../flags/assessment';

/** `unassessed`: no practitioner has assessed the event yet. */
export const SERIOUSNESS_FILTERS = [...SERIOUSNESS, 'unassessed'] as const;
export const CAUSALITY_FILTERS = [...CAUSALITIES, 'unassessed'] as const;
export type SeriousnessFilter = (typeof SERIOUSNESS_FILTERS)[number];
export type CausalityFilter = (typeof CAUSALITY_FILTERS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;

/** Filters shared by the log and its exports. The period is when the event was reported (the flag raised): from inclusive, to exclusive. */
export class AdverseEventFilters {
  @ApiPropertyOptional({ format: 'date-time', description: 'Reported at or after (ISO 8601)' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Reported before (ISO 8601)' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'Exact product name' })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1, { message: 'product must not be empty' }) @MaxLength(200)
  product?: string;

  @ApiPropertyOptional({ description: 'Exact lot number' })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1, { message: 'lot must not be empty' }) @MaxLength(100)
  lot?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The treatment's practitioner" })
  @IsOptional() @IsUUID('4', { message: 'practitionerId must be a UUID' })
  practitionerId?: string;

  @ApiPropertyOptional({ enum: SERIOUSNESS_FILTERS, description: "The assessment's seriousness; unassessed: not assessed yet" })
  @IsOptional() @IsIn(SERIOUSNESS_FILTERS, { message: `seriousness must be one of ${SERIOUSNESS_FILTERS.join(', ')}` })
  seriousness?: SeriousnessFilter;

  @ApiPropertyOptional({ enum: CAUSALITY_FILTERS, description: "The assessment's causality; unassessed: not assessed yet" })
  @IsOptional() @IsIn(CAUSALITY_FILTERS, { message: `causality must be one of ${CAUSALITY_FILTERS.join(', ')}` })
  causality?: CausalityFilter;
}

export class ListAdverseEventsQuery extends IntersectionType(AdverseEventFilters, PageQuery) {
  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'asc', description: 'By reported date: asc oldest first (the default), desc newest first' })
  @IsOptional() @IsIn(SORT_ORDERS, { message: `sort must be one of ${SORT_ORDERS.join(', ')}` })
  sort?: (typeof SORT_ORDERS)[number];
}

export const EXPORT_FORMATS = ['csv', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportAdverseEventsQuery extends AdverseEventFilters {
  @ApiProperty({ enum: EXPORT_FORMATS, description: 'csv: one row per event; fhir: an R4 Bundle (collection) of AdverseEvent, QuestionnaireResponse and AuditEvent' })
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format: ExportFormat;
}
