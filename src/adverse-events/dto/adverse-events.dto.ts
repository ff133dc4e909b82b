import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { SingleLineText } from '../../common/validators';

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
}

export class ListAdverseEventsQuery extends IntersectionType(AdverseEventFilters, PageQuery) {}

export const EXPORT_FORMATS = ['csv', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportAdverseEventsQuery extends AdverseEventFilters {
  @ApiProperty({ enum: EXPORT_FORMATS, description: 'csv: one row per event; fhir: an R4 Bundle (collection) of AdverseEvent, QuestionnaireResponse and AuditEvent' })
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format: ExportFormat;
}
