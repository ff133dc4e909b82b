import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ClinicsService } from './clinics.service';
import { CreateStaffDto, StaffDirectoryDto, StaffDto, StaffListDto, UpdateStaffDto } from './dto/staff.dto';
import { ASSIGNABLE_ROLES } from './staff-user.entity';

@ApiTags('staff')
@ApiBearerAuth()
@Controller('v1/staff')
export class ClinicsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Allow('admin')
  @Post()
  @ApiCreatedResponse({ type: StaffDto })
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateStaffDto): Promise<StaffDto> {
    return this.clinics.createStaff(p.clinicId, actorOf(p), dto);
  }

  @Allow('admin')
  @Get()
  @ApiOkResponse({ type: StaffListDto })
  async list(@CurrentPrincipal() p: Principal): Promise<StaffListDto> {
    return { items: await this.clinics.listStaff(p.clinicId) };
  }

  /**
   * The clinic's active colleagues (id, name, role) for every staff member: whom to assign a case
   * to. No emails, phones or sign-in data (the admins' list above has those).
   */
  @Allow('practitioner', 'admin', 'compliance')
  @Get('directory')
  @ApiOkResponse({ type: StaffDirectoryDto })
  async directory(@CurrentPrincipal() p: Principal): Promise<StaffDirectoryDto> {
    const staff = await this.clinics.staffDirectory(p.clinicId);
    return { items: staff.map((s) => ({ id: s.id, name: s.name, role: s.role, assignable: ASSIGNABLE_ROLES.includes(s.role) })) };
  }

  /** Role, activity, temporary password; a staff member of another clinic is 404. */
  @Allow('admin')
  @Patch(':id')
  @ApiOkResponse({ type: StaffDto })
  update(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Body() dto: UpdateStaffDto): Promise<StaffDto> {
    return this.clinics.updateStaff(p.clinicId, actorOf(p), id, dto);
  }
}
