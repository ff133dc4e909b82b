import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { protocolKeyPattern } from '../../protocols/protocol-choice';
import { BODY_AREAS, BodyArea, unknownAreasMessage } from '../../protocols/body-areas';
import { Technique, TECHNIQUES } from '../treatment.entity';
import { SingleLineText } from '../../common/validators';

export class CreateTreatmentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('4', { message: 'patientId must be a UUID' }) patientId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The staff member who performed the treatment' })
  @IsOptional() @IsUUID('4', { message: 'practitionerId must be a UUID' })
  practitionerId?: string;

  @ApiPropertyOptional({ description: "The clinic system's id for this session" })
  @IsOptional() @IsString() @SingleLineText() @MaxLength(200)
  externalRef?: string;

  @ApiProperty({ example: 'mesotherapy' }) @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) procedure: string;
  @ApiProperty({ example: 'cellulite', description: 'cellulite, body contouring, skin rejuvenation, hair loss, …' })
  @IsString() @SingleLineText() @MinLength(1) @MaxLength(200)
  indication: string;

  @ApiProperty({ enum: BODY_AREAS, enumName: 'BodyArea', isArray: true, example: ['thighs', 'buttocks'], description: 'Treatment areas from the list of GET /v1/body-areas' })
  @IsArray() @ArrayNotEmpty({ message: 'bodyAreas must name at least one area' }) @ArrayMaxSize(20)
  @ArrayUnique({ message: 'bodyAreas must not name an area twice' })
  @IsString({ each: true }) @SingleLineText({ each: true }) @MinLength(1, { each: true }) @MaxLength(100, { each: true })
  @IsIn(BODY_AREAS, { each: true, message: (args) => unknownAreasMessage(args.value) })
  bodyAreas: BodyArea[];

  @ApiProperty({ example: 'Aqualyx' }) @IsString() @SingleLineText() @MinLength(1) @MaxLength(200) product: string;

  @ApiPropertyOptional({ example: 'L2309A' }) @IsOptional() @IsString() @SingleLineText() @MaxLength(100) lotNumber?: string;

  @ApiPropertyOptional({ enum: TECHNIQUES, description: 'How it was injected: by hand or with an injector gun' })
  @IsOptional() @IsIn(TECHNIQUES, { message: `technique must be one of: ${TECHNIQUES.join(', ')}` })
  technique?: Technique;

  @ApiPropertyOptional({ example: 'phosphatidylcholine 250 mg + deoxycholate 2.5 ml', description: 'The formula (cocktail) injected, free text up to 500 characters' })
  @IsOptional() @IsString() @SingleLineText() @MinLength(1, { message: 'formula must not be empty' }) @MaxLength(500, { message: 'formula must be at most 500 characters' })
  formula?: string;

  @ApiPropertyOptional({
    example: 'body',
    description:
      "The follow-up protocol's key (GET /v1/protocols); unknown → 400. Without it: 'face-scalp' when every body area is on the face, head or neck (face, forehead, cheeks, lips, periorbital, neck, décolleté, scalp, …), 'body' when any area is on the body (thighs, buttocks, abdomen, flanks, arms, …); when no area is recognised, the indication decides ('face-scalp' for skin rejuvenation, hair loss, alopecia and other face or scalp concerns, else 'body'). The clinic's newest version of the key is used, else the shipped default.",
  })
  @IsOptional() @IsString() @Matches(protocolKeyPattern, { message: 'protocolKey must be lowercase letters, digits or dashes, starting with a letter' })
  protocolKey?: string;

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
  @IsOptional() @IsString() @SingleLineText() @MaxLength(500)
  reason?: string;
}
