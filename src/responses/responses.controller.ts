import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ResponsesService } from './responses.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Allow('admin', 'practitioner', 'compliance')
  @Get(':id/responses')
  async list(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    return { items: await this.responses.viewForPatient(p.clinicId, id, actorOf(p)) };
  }
}
