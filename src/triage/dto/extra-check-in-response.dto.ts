import { ApiProperty } from '@nestjs/swagger';
import { CheckInDto, toCheckInDto } from '../../check-ins/dto/check-in.dto';
import { ExtraCheckInResult } from '../triage.service';

export class ExtraCheckInResultDto {
  @ApiProperty({ format: 'uuid' }) flagId: string;
  @ApiProperty({ description: 'True when the patient already had a check-in open that day: it is the one they will get' }) reused: boolean;
  @ApiProperty({ type: CheckInDto }) checkIn: CheckInDto;
}

export function toExtraCheckInResultDto(r: ExtraCheckInResult): ExtraCheckInResultDto {
  return { flagId: r.flagId, reused: r.reused, checkIn: toCheckInDto(r.checkIn) };
}
