import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ClinicsService } from './clinics.service';
import { CreateStaffDto } from './dto/staff.dto';

@ApiTags('staff')
@ApiBearerAuth()
@Controller('v1/staff')
export class ClinicsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Allow('admin')
  @Post()
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateStaffDto) {
    return this.clinics.createStaff(p.clinicId, actorOf(p), dto);
  }

  @Allow('admin')
  @Get()
  async list(@CurrentPrincipal() p: Principal) {
    return { items: await this.clinics.listStaff(p.clinicId) };
  }
}
