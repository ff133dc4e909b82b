import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { SingleLineText } from '../common/validators';

/** Erasure and legal holds ask why; the reason is kept in the audit event's payload. */
export class ReasonDto {
  @ApiProperty({ example: 'patient request under GDPR art. 17, ticket 1234' })
  @IsString({ message: 'reason must be text' })
  @SingleLineText()
  @MinLength(3, { message: 'reason must say why (at least 3 characters)' })
  @MaxLength(1000)
  reason: string;
}
