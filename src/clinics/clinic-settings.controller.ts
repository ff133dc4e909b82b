import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ClinicsService } from './clinics.service';
import { UpdateClinicDto } from './dto/clinic.dto';

/** The caller's own clinic: always the credential's, never one named in the request. */
@ApiTags('clinic')
@ApiBearerAuth()
@Controller('v1/clinic')
export class ClinicSettingsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Allow('admin')
  @Get()
  get(@CurrentPrincipal() p: Principal) {
    return this.clinics.settings(p.clinicId);
  }

  @Allow('admin')
  @Patch()
  update(@CurrentPrincipal() p: Principal, @Body() dto: UpdateClinicDto) {
    return this.clinics.updateSettings(p.clinicId, actorOf(p), dto);
  }
}
