import { ApiProperty } from '@nestjs/swagger';
import { CourseCheckInDto, toCourseCheckInDto } from '../../check-ins/dto/check-in.dto';
import { toTreatmentDto, TreatmentDto } from '../../treatments/dto/treatment-response.dto';
import { Treatment } from '../../treatments/treatment.entity';
import { CourseCheckIn } from '../courses.service';

/** The new treatment and the check-ins planned for it. */
export class CreatedTreatmentDto extends TreatmentDto {
  @ApiProperty({ type: [CourseCheckInDto] }) checkIns: CourseCheckInDto[];
}

export function toCreatedTreatmentDto(t: Treatment & { checkIns: CourseCheckIn[] }): CreatedTreatmentDto {
  return { ...toTreatmentDto(t), checkIns: t.checkIns.map(toCourseCheckInDto) };
}
