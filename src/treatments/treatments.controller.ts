import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { CancelTreatmentDto, CreateTreatmentDto } from './dto/treatment.dto';
import { TreatmentsService } from './treatments.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('treatments')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/treatments')
export class TreatmentsController {
  constructor(private readonly treatments: TreatmentsService) {}

  @Allow('admin', 'practitioner', 'integration')
  @Post()
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateTreatmentDto) {
    return this.treatments.create(p.clinicId, actorOf(p), dto);
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.treatments.get(p.clinicId, id);
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id/check-ins')
  async checkIns(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return { items: await this.treatments.checkInsOf(p.clinicId, id) };
  }

  @Allow('admin', 'practitioner', 'integration')
  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: CancelTreatmentDto) {
    return this.treatments.cancel(p.clinicId, id, actorOf(p), dto);
  }
}
