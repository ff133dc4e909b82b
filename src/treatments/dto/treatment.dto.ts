import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class CreateTreatmentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('4', { message: 'patientId must be a UUID' }) patientId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The staff member who performed the treatment' })
  @IsOptional() @IsUUID('4', { message: 'practitionerId must be a UUID' })
  practitionerId?: string;

  @ApiPropertyOptional({ description: "The clinic system's id for this session" })
  @IsOptional() @IsString() @MaxLength(200)
  externalRef?: string;

  @ApiProperty({ example: 'mesotherapy' }) @IsString() @MinLength(1) @MaxLength(200) procedure: string;
  @ApiProperty({ example: 'cellulite', description: 'cellulite, body contouring, skin rejuvenation, hair loss, …' })
  @IsString() @MinLength(1) @MaxLength(200)
  indication: string;

  @ApiProperty({ example: ['thighs', 'buttocks'] })
  @IsArray() @ArrayNotEmpty({ message: 'bodyAreas must name at least one area' }) @ArrayMaxSize(20)
  @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(100, { each: true })
  bodyAreas: string[];

  @ApiProperty({ example: 'Aqualyx' }) @IsString() @MinLength(1) @MaxLength(200) product: string;

  @ApiPropertyOptional({ example: 'L2309A' }) @IsOptional() @IsString() @MaxLength(100) lotNumber?: string;

  @ApiProperty({ example: '2026-11-20T14:30:00+01:00', description: 'ISO 8601 with an offset or Z' })
  @IsISO8601({ strict: true }, { message: 'performedAt must be an ISO 8601 date-time' })
  performedAt: string;

  @ApiPropertyOptional({
    description: 'Send the patient the aftercare instructions now (what is usual, warning signs, when check-ins come). Default: true when performedAt is within the last 48 hours, false for older (back-filled) treatments.',
  })
  @IsOptional() @IsBoolean()
  sendInstructions?: boolean;
}

export class CancelTreatmentDto {
  @ApiPropertyOptional({ example: 'entered in error' })
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}
