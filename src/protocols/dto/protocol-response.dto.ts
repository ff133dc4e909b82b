import { ApiProperty } from '@nestjs/swagger';
import { CourseBand, ExpectedCourse } from '../expected-course';
import { ProtocolView } from '../protocols.service';

export class CourseBandDto {
  @ApiProperty({ description: 'Days since treatment, inclusive' }) throughDay: number;
  @ApiProperty({ description: 'The highest usual score through that day' }) max: number;
}

/** Per symptom, bands in increasing throughDay; after the last band the symptom should be gone. */
export class ExpectedCourseDto implements ExpectedCourse {
  @ApiProperty({ type: [CourseBandDto] }) bruising: CourseBandDto[];
  @ApiProperty({ type: [CourseBandDto] }) redness: CourseBandDto[];
  @ApiProperty({ type: [CourseBandDto] }) itching: CourseBandDto[];
  @ApiProperty({ type: [CourseBandDto] }) burning: CourseBandDto[];
  @ApiProperty({ type: [CourseBandDto] }) pain: CourseBandDto[];
}

/** A protocol version as the API shows it. */
export class ProtocolDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'body' }) key: string;
  @ApiProperty() version: number;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'True for a shipped default (the same for every clinic), false for the clinic\'s own version' }) shipped: boolean;
  @ApiProperty({ type: [Number], example: [1, 3, 7, 14, 30, 60, 90] }) dayOffsets: number[];
  @ApiProperty({ example: '10:00', description: 'Local time HH:mm' }) sendTime: string;
  @ApiProperty() expiryHours: number;
  @ApiProperty({ type: Number, nullable: true }) reminderAfterHours: number | null;
  @ApiProperty({ type: ExpectedCourseDto }) expectedCourse: ExpectedCourseDto;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

const bands = (b: CourseBand[]): CourseBandDto[] => b.map((x) => ({ throughDay: x.throughDay, max: x.max }));

export function toProtocolDto(v: ProtocolView): ProtocolDto {
  const c = v.expectedCourse;
  return {
    id: v.id,
    key: v.key,
    version: v.version,
    name: v.name,
    shipped: v.shipped,
    dayOffsets: v.dayOffsets,
    sendTime: v.sendTime,
    expiryHours: v.expiryHours,
    reminderAfterHours: v.reminderAfterHours,
    expectedCourse: { bruising: bands(c.bruising), redness: bands(c.redness), itching: bands(c.itching), burning: bands(c.burning), pain: bands(c.pain) },
    createdAt: v.createdAt,
  };
}

/** How many of the clinic's treatments follow one protocol version. */
export class ProtocolUsageDto {
  @ApiProperty({ format: 'uuid' }) protocolId: string;
  @ApiProperty({ example: 'body' }) key: string;
  @ApiProperty() version: number;
  @ApiProperty({ description: 'Sessions recorded with this version, cancelled ones included' }) treatments: number;
  @ApiProperty({ description: 'Of those, the ones not cancelled (their check-ins follow this version)' }) activeTreatments: number;
  @ApiProperty({ description: 'Different patients among them' }) patients: number;
  @ApiProperty({ type: String, format: 'date-time' }) firstPerformedAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) lastPerformedAt: Date;
}

export class ProtocolUsageListDto {
  @ApiProperty({ type: [ProtocolUsageDto], description: 'One row per version with at least one treatment, by key then version' }) items: ProtocolUsageDto[];
}
