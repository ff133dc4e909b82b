import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ExtraCheckInDto } from './dto/extra-check-in.dto';
import { ExtraCheckInResultDto, toExtraCheckInResultDto } from './dto/extra-check-in-response.dto';
import { TriageService } from './triage.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('flags')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/flags')
export class TriageController {
  constructor(private readonly triage: TriageService) {}

  /** 201 with the planned check-in; `reused: true` when the patient already has one open that day. */
  @Allow('practitioner', 'admin')
  @Post(':id/extra-check-in')
  @HttpCode(201)
  @ApiCreatedResponse({ type: ExtraCheckInResultDto })
  @ApiErrorResponses(400, 404, 409)
  async extraCheckIn(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ExtraCheckInDto): Promise<ExtraCheckInResultDto> {
    return toExtraCheckInResultDto(await this.triage.requestExtraCheckIn(p.clinicId, id, actorOf(p), dto));
  }
}
