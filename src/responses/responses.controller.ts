import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ResponsesService } from './responses.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly audit: AuditService,
  ) {}

  @Allow('admin', 'practitioner', 'compliance')
  @Get(':id/responses')
  async list(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    const items = await this.responses.listForPatient(p.clinicId, id);
    // Reads of a patient's answers are on the record too (the reader is the actor).
    await this.audit.recordAccess({ clinicId: p.clinicId, actor: actorOf(p), action: 'patient.responses_viewed', entityType: 'patient', entityId: id, data: { count: items.length } });
    return { items };
  }
}
