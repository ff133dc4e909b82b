import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { PutOnCallDto } from './dto/on-call.dto';
import { OnCallService } from './on-call.service';

/** The caller's clinic's weekly on-call rota (local times in the clinic's zone). */
@ApiTags('clinic')
@ApiBearerAuth()
@Controller('v1/clinic/on-call')
export class OnCallController {
  constructor(private readonly onCall: OnCallService) {}

  @Allow('admin')
  @Get()
  get(@CurrentPrincipal() p: Principal) {
    return this.onCall.rota(p.clinicId);
  }

  @Allow('admin')
  @Put()
  replace(@CurrentPrincipal() p: Principal, @Body() dto: PutOnCallDto) {
    return this.onCall.replace(p.clinicId, actorOf(p), dto);
  }
}
