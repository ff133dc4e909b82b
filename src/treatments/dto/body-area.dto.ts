import { ApiProperty } from '@nestjs/swagger';
import { BODY_AREA_REGIONS, BODY_AREAS, type BodyArea, type BodyAreaRegion } from '../../protocols/body-areas';

export class BodyAreaDto {
  @ApiProperty({ enum: BODY_AREAS, enumName: 'BodyArea' }) id: BodyArea;
  @ApiProperty({ description: 'In plain words, for a picker' }) label: string;
  @ApiProperty({ enum: BODY_AREA_REGIONS, description: "Face and scalp, or body: which follow-up protocol the area suggests when a treatment names none" }) region: BodyAreaRegion;
}

export class BodyAreaListDto {
  @ApiProperty({ type: [BodyAreaDto] }) items: BodyAreaDto[];
}
