import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CAUSALITIES, Causality, SERIOUSNESS, Seriousness, SERIOUSNESS_CRITERIA, SeriousnessCriterion } from '../assessment';
import { PlainText } from '../../common/validators';

export class AssessFlagDto {
  @ApiProperty({ enum: CAUSALITIES, description: 'How likely the treatment caused the reaction' })
  @IsIn(CAUSALITIES, { message: `causality must be one of ${CAUSALITIES.join(', ')}` })
  causality: Causality;

  @ApiProperty({ enum: SERIOUSNESS, description: 'ICH E2A: serious when at least one seriousness criterion applies' })
  @IsIn(SERIOUSNESS, { message: `seriousness must be one of ${SERIOUSNESS.join(', ')}` })
  seriousness: Seriousness;

  @ApiPropertyOptional({ enum: SERIOUSNESS_CRITERIA, isArray: true, description: 'Required (one or more) when serious; empty when non_serious' })
  @IsOptional()
  @IsArray({ message: 'seriousnessCriteria must be a list' })
  @ArrayMaxSize(SERIOUSNESS_CRITERIA.length)
  @IsIn(SERIOUSNESS_CRITERIA, { each: true, message: `each seriousnessCriteria must be one of ${SERIOUSNESS_CRITERIA.join(', ')}` })
  seriousnessCriteria?: SeriousnessCriterion[];

  @ApiPropertyOptional({ maxLength: 4000, description: 'The reasoning behind the assessment' })
  @IsOptional() @IsString() @PlainText() @MaxLength(4000)
  note?: string;
}
