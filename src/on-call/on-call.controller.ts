import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { PutOnCallDto } from './dto/on-call.dto';
import { OnCallDto, toOnCallDto } from './dto/on-call-response.dto';
import { OnCallService } from './on-call.service';

/** The caller's clinic's weekly on-call rota (local times in the clinic's zone). */
@ApiTags('clinic')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/clinic/on-call')
export class OnCallController {
  constructor(private readonly onCall: OnCallService) {}

  /** Practitioners read it too (the console's On call page); changing it stays an admin action. */
  @Allow('admin', 'practitioner')
  @Get()
  @ApiOkResponse({ type: OnCallDto })
  async get(@CurrentPrincipal() p: Principal): Promise<OnCallDto> {
    return toOnCallDto(await this.onCall.rota(p.clinicId));
  }

  @Allow('admin')
  @Put()
  @ApiOkResponse({ type: OnCallDto })
  @ApiErrorResponses(400, 404)
  async replace(@CurrentPrincipal() p: Principal, @Body() dto: PutOnCallDto): Promise<OnCallDto> {
    return toOnCallDto(await this.onCall.replace(p.clinicId, actorOf(p), dto));
  }
}
