import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { UpdateClinicDto } from './dto/clinic.dto';
import { ClinicDto, toClinicDto } from './dto/clinic-response.dto';
import { ClinicsService } from './clinics.service';

/** The caller's own clinic: always the credential's, never one named in the request. */
@ApiTags('clinic')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/clinic')
export class ClinicSettingsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Allow('admin')
  @Get()
  @ApiOkResponse({ type: ClinicDto })
  async get(@CurrentPrincipal() p: Principal): Promise<ClinicDto> {
    return toClinicDto(await this.clinics.settings(p.clinicId));
  }

  @Allow('admin')
  @Patch()
  @ApiOkResponse({ type: ClinicDto })
  @ApiErrorResponses(400)
  async update(@CurrentPrincipal() p: Principal, @Body() dto: UpdateClinicDto): Promise<ClinicDto> {
    return toClinicDto(await this.clinics.updateSettings(p.clinicId, actorOf(p), dto));
  }
}
