import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class SignalsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 730, default: 90, description: 'The rolling window, in days, ending now' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'windowDays must be a whole number of days' })
  @Min(1, { message: 'windowDays must be at least 1' })
  @Max(730, { message: 'windowDays must be at most 730' })
  windowDays?: number;
}
