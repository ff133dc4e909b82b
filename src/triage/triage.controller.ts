import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ExtraCheckInDto } from './dto/extra-check-in.dto';
import { TriageService } from './triage.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('flags')
@ApiBearerAuth()
@Controller('v1/flags')
export class TriageController {
  constructor(private readonly triage: TriageService) {}

  /** 201 with the planned check-in; `reused: true` when the patient already has one open that day. */
  @Allow('practitioner', 'admin')
  @Post(':id/extra-check-in')
  @HttpCode(201)
  extraCheckIn(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ExtraCheckInDto) {
    return this.triage.requestExtraCheckIn(p.clinicId, id, actorOf(p), dto);
  }
}
