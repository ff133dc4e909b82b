import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { FLAG_OUTCOMES, FLAG_PRIORITIES, FLAG_STATUSES, FlagOutcome } from '../flag.entity';
import { PlainText } from '../../common/validators';

export class ListFlagsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: FLAG_STATUSES })
  @IsOptional() @IsIn(FLAG_STATUSES, { message: `status must be one of ${FLAG_STATUSES.join(', ')}` })
  status?: (typeof FLAG_STATUSES)[number];

  @ApiPropertyOptional({ enum: FLAG_PRIORITIES })
  @IsOptional() @IsIn(FLAG_PRIORITIES, { message: `priority must be one of ${FLAG_PRIORITIES.join(', ')}` })
  priority?: (typeof FLAG_PRIORITIES)[number];
}

export class AcknowledgeFlagDto {
  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional() @IsString() @PlainText() @MaxLength(4000)
  note?: string;
}

export class ResolveFlagDto {
  @ApiProperty({ enum: FLAG_OUTCOMES })
  @IsIn(FLAG_OUTCOMES, { message: `outcome must be one of ${FLAG_OUTCOMES.join(', ')}` })
  outcome: FlagOutcome;

  @ApiProperty({ maxLength: 4000, description: 'What was done and why' })
  @IsString() @PlainText() @MinLength(1, { message: 'note must not be empty' }) @MaxLength(4000)
  note: string;
}

export class AssignFlagDto {
  @ApiProperty({ format: 'uuid', description: 'An active practitioner or admin of the clinic' })
  @IsUUID('4', { message: 'assigneeId must be a UUID' })
  assigneeId: string;
}

export class FlagNoteDto {
  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString() @PlainText() @MinLength(1, { message: 'text must not be empty' }) @MaxLength(4000)
  text: string;
}

export class ReopenFlagDto {
  @ApiProperty({ minLength: 1, maxLength: 4000, description: 'Why the flag needs another look' })
  @IsString() @PlainText() @MinLength(1, { message: 'reason must not be empty' }) @MaxLength(4000)
  reason: string;
}
