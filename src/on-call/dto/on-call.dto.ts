import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsString, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';

export class OnCallShiftDto {
  @ApiProperty({ format: 'uuid', description: 'An active practitioner or admin of the clinic' })
  @IsUUID('4', { message: 'staffUserId must be a UUID' })
  staffUserId: string;

  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday the shift starts on: 1 = Monday … 7 = Sunday' })
  @IsInt({ message: 'weekday must be a whole number 1 (Monday) to 7 (Sunday)' }) @Min(1, { message: 'weekday must be 1 (Monday) to 7 (Sunday)' }) @Max(7, { message: 'weekday must be 1 (Monday) to 7 (Sunday)' })
  weekday: number;

  @ApiProperty({ example: '20:00', description: "Local time (HH:mm) in the clinic's time zone" })
  @IsString() @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'start must be a local time HH:mm (00:00–23:59)' })
  start: string;

  @ApiProperty({ example: '08:00', description: 'Local time (HH:mm, up to 24:00); earlier than start: the shift ends the next day' })
  @IsString() @Matches(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'end must be a local time HH:mm (00:00–24:00)' })
  end: string;
}

/** The whole weekly rota; it replaces the one before. An empty list means nobody is on call (everyone is alerted). */
export class PutOnCallDto {
  @ApiProperty({ type: [OnCallShiftDto] })
  @IsArray({ message: 'shifts must be a list' }) @ArrayMaxSize(500, { message: 'shifts must have at most 500 entries' })
  @ValidateNested({ each: true }) @Type(() => OnCallShiftDto)
  shifts: OnCallShiftDto[];
}
