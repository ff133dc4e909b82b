import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PlainText } from '../../common/validators';

export class ExtraCheckInDto {
  @ApiProperty({ minimum: 1, maximum: 90, description: "Days from today (the patient's calendar); it goes at the protocol's send time, inside the send window" })
  @IsInt({ message: 'inDays must be a whole number of days, 1 to 90' })
  @Min(1, { message: 'inDays must be at least 1' })
  @Max(90, { message: 'inDays must be at most 90' })
  inDays: number;

  @ApiPropertyOptional({ maxLength: 4000, description: "Why; kept in the flag's history, not in the audit log" })
  @IsOptional() @IsString() @PlainText() @MaxLength(4000)
  note?: string;
}
