import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { ItemsOf } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ResponseDto, toResponseDto } from './dto/response.dto';
import { ResponsesService } from './responses.service';

@ApiTags('patients')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/patients')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Allow('admin', 'practitioner', 'compliance')
  @Get(':id/responses')
  @ApiOkResponse({ type: ItemsOf(ResponseDto) })
  @ApiErrorResponses(400, 404)
  async list(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<{ items: ResponseDto[] }> {
    return { items: (await this.responses.viewForPatient(p.clinicId, id, actorOf(p))).map(toResponseDto) };
  }
}
