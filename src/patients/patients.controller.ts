import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { CreatePatientDto, SearchPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { PatientsService } from './patients.service';

@ApiTags('patients')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Allow('admin', 'practitioner', 'integration')
  @Post()
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreatePatientDto) {
    return this.patients.create(p.clinicId, actorOf(p), dto);
  }

  /** Find a patient: `q` matches name, phone, email or external reference; audited as a read. */
  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get()
  search(@CurrentPrincipal() p: Principal, @Query() q: SearchPatientsQuery) {
    return this.patients.search(p.clinicId, actorOf(p), q);
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    return this.patients.view(p.clinicId, id, actorOf(p));
  }

  @Allow('admin', 'practitioner', 'integration')
  @Patch(':id')
  update(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Body() dto: UpdatePatientDto) {
    return this.patients.update(p.clinicId, id, actorOf(p), dto);
  }
}
