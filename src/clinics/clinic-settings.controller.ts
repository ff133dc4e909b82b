import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { UpdateClinicDto } from './dto/clinic.dto';
import { ClinicDto, toClinicDto } from './dto/clinic-response.dto';
import { ClinicsService } from './clinics.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** The caller's own clinic: always the credential's, never one named in the request. */
@ApiTags('clinic')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/clinic')
export class ClinicSettingsController {
  constructor(
    private readonly clinics: ClinicsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get defaults() {
    return { urgentAfterMinutes: this.config.escalateUrgentAfterMinutes, highAfterHours: this.config.escalateHighAfterHours };
  }

  @Allow('admin')
  @Get()
  @ApiOkResponse({ type: ClinicDto })
  async get(@CurrentPrincipal() p: Principal): Promise<ClinicDto> {
    return toClinicDto(await this.clinics.settings(p.clinicId), this.defaults);
  }

  @Allow('admin')
  @Patch()
  @ApiOkResponse({ type: ClinicDto })
  @ApiErrorResponses(400)
  async update(@CurrentPrincipal() p: Principal, @Body() dto: UpdateClinicDto): Promise<ClinicDto> {
    return toClinicDto(await this.clinics.updateSettings(p.clinicId, actorOf(p), dto), this.defaults);
  }
}
