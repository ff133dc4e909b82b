import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { TimelineService } from './timeline.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class TimelineController {
  constructor(
    private readonly timeline: TimelineService,
    private readonly audit: AuditService,
  ) {}

  /** Treatments, check-ins, answers, messages and flags in time order (summaries, no contact details). */
  @Allow('practitioner', 'admin', 'compliance')
  @Get(':id/timeline')
  async get(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    const timeline = await this.timeline.forPatient(p.clinicId, id);
    await this.audit.recordAccess({ clinicId: p.clinicId, actor: actorOf(p), action: 'timeline.viewed', entityType: 'patient', entityId: id, data: { items: timeline.items.length } });
    return timeline;
  }
}
