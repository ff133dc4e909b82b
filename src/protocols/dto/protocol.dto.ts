import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsLocalTime, SingleLineText } from '../../common/validators';
import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../expected-course';

/** A new version of a protocol: the whole protocol, not a patch (versions are never changed). */
export class PutProtocolDto {
  @ApiProperty({ example: 'Body follow-up (cellulite, contouring)' })
  @IsString() @SingleLineText() @MinLength(1) @MaxLength(200)
  name: string;

  @ApiProperty({ type: [Number], example: [1, 3, 7, 14, 30, 60, 90], description: 'Days after the session a check-in goes out: 0–365, ascending, no repeats. Steps after day 14 are late steps: in a course they run from the last session.' })
  @IsArray({ message: 'dayOffsets must be a list of days' })
  @ArrayMinSize(1, { message: 'dayOffsets must have at least one day' })
  @ArrayMaxSize(30, { message: 'dayOffsets must have at most 30 days' })
  @IsInt({ each: true, message: 'dayOffsets must be whole days' })
  @Min(0, { each: true, message: 'dayOffsets must be days from 0 to 365' })
  @Max(365, { each: true, message: 'dayOffsets must be days from 0 to 365' })
  dayOffsets: number[];

  @ApiProperty({ example: '10:00', description: "Local time (HH:mm) in the patient's zone; moved into the clinic's send window" })
  @IsLocalTime()
  sendTime: string;

  @ApiProperty({ example: 48, description: 'Hours after it is due that a check-in stops taking answers (1–168)' })
  @IsInt({ message: 'expiryHours must be a whole number of hours' })
  @Min(1, { message: 'expiryHours must be from 1 to 168 hours' })
  @Max(168, { message: 'expiryHours must be from 1 to 168 hours' })
  expiryHours: number;

  @ApiPropertyOptional({ type: Number, example: 24, nullable: true, description: 'Hours after it is due that one reminder goes if unanswered; less than expiryHours. Null: twice expiryHours, i.e. no reminder.' })
  @IsOptional()
  @IsInt({ message: 'reminderAfterHours must be a whole number of hours' })
  @Min(1, { message: 'reminderAfterHours must be at least 1 hour' })
  @Max(167, { message: 'reminderAfterHours must be less than expiryHours' })
  reminderAfterHours?: number | null;

  @ApiProperty({ example: DEFAULT_EXPECTED_COURSE, description: 'Per symptom (bruising, redness, itching, burning, pain), bands { throughDay, max } in increasing throughDay: a score up to max is usual through that day; after the last band the symptom should be gone.' })
  @IsObject({ message: 'expectedCourse must be an object with one list of bands per symptom' })
  expectedCourse: ExpectedCourse;
}
