import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { Allow } from '../common/principal';
import { BODY_AREA_LIST } from '../protocols/body-areas';
import { BodyAreaListDto } from './dto/body-area.dto';

@ApiTags('treatments')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiErrorResponses(401, 403)
@Controller('v1/body-areas')
export class BodyAreasController {
  /** The treatment areas a treatment's bodyAreas may name, in the order a picker shows them (face and scalp, then body). */
  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get()
  @ApiOkResponse({ type: BodyAreaListDto })
  list(): BodyAreaListDto {
    return { items: BODY_AREA_LIST.map((a) => ({ id: a.id, label: a.label, region: a.region })) };
  }
}
