import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { TimelineService } from './timeline.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  /** Treatments, check-ins, answers, messages and flags in time order (summaries, no contact details). */
  @Allow('practitioner', 'admin', 'compliance')
  @Get(':id/timeline')
  get(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    return this.timeline.view(p.clinicId, id, actorOf(p));
  }
}
