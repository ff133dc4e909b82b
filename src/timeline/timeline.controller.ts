import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { TimelineDto, toTimelineDto } from './dto/timeline.dto';
import { TimelineService } from './timeline.service';

@ApiTags('patients')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/patients')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  /** Treatments, check-ins, answers, messages and flags in time order (summaries, no contact details). */
  @Allow('practitioner', 'admin', 'compliance')
  @Get(':id/timeline')
  @ApiOkResponse({ type: TimelineDto })
  @ApiErrorResponses(400, 404)
  async get(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<TimelineDto> {
    return toTimelineDto(await this.timeline.view(p.clinicId, id, actorOf(p)));
  }
}
