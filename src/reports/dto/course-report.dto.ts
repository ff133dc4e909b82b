import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { SingleLineText } from '../../common/validators';

export class CourseReportQuery {
  @ApiPropertyOptional({ description: 'Only this procedure (exact match)' })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1, { message: 'procedure must not be empty' }) @MaxLength(200)
  procedure?: string;

  @ApiPropertyOptional({ description: 'Only this product (exact match)' })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1, { message: 'product must not be empty' }) @MaxLength(200)
  product?: string;

  @ApiPropertyOptional({ description: 'Treatments performed at or after this date or instant (ISO 8601; a date means 00:00 UTC)', example: '2026-01-01' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time, e.g. 2026-01-01' })
  from?: string;

  @ApiPropertyOptional({ description: 'Treatments performed up to this date (the whole day, UTC) or instant (ISO 8601)', example: '2026-03-31' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time, e.g. 2026-03-31' })
  to?: string;
}
