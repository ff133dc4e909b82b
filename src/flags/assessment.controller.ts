import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AssessFlagDto } from './dto/assess-flag.dto';
import { FlagDto, toFlagDto } from './dto/flag-response.dto';
import { FlagTriageService } from './flag-triage.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('flags')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/flags')
export class FlagAssessmentController {
  constructor(private readonly triage: FlagTriageService) {}

  /** Causality and seriousness (ICH E2A) of the flagged reaction; clinical staff only, compliance reads it. */
  @Allow('practitioner', 'admin')
  @Post(':id/assess')
  @HttpCode(200)
  @ApiOkResponse({ type: FlagDto })
  @ApiErrorResponses(400, 404, 409)
  async assess(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AssessFlagDto): Promise<FlagDto> {
    return toFlagDto(await this.triage.assess(p.clinicId, id, actorOf(p), dto));
  }
}
