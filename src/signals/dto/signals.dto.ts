import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { SingleLineText } from '../../common/validators';
import { SIGNAL_DIMENSIONS, SignalDimension } from '../detect';

export class SignalsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 730, default: 90, description: 'The rolling window, in days, ending now' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'windowDays must be a whole number of days' })
  @Min(1, { message: 'windowDays must be at least 1' })
  @Max(730, { message: 'windowDays must be at most 730' })
  windowDays?: number;
}

/** One row of the report: a dimension and its value (the clinic's id for the clinic as a whole). */
export class SignalCasesQuery extends SignalsQuery {
  @ApiProperty({ enum: SIGNAL_DIMENSIONS })
  @IsIn([...SIGNAL_DIMENSIONS], { message: `dimension must be one of ${SIGNAL_DIMENSIONS.join(', ')}` })
  dimension: SignalDimension;

  @ApiProperty({ description: "The value as the report gives it: a lot number, a product, a practitioner's id, a technique, a formula, or the clinic's id" })
  @IsString({ message: 'value must be text' })
  @SingleLineText()
  @MinLength(1, { message: 'value must not be empty' })
  @MaxLength(200)
  value: string;
}
