import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { CreatePatientDto, SearchPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { PatientDto, PatientPage, toPatientDto } from './dto/patient-response.dto';
import { PatientsService } from './patients.service';

@ApiTags('patients')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiErrorResponses(401, 403)
@Controller('v1/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Allow('admin', 'practitioner', 'integration')
  @Post()
  @ApiCreatedResponse({ type: PatientDto })
  @ApiErrorResponses(400, 409)
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreatePatientDto): Promise<PatientDto> {
    return toPatientDto(await this.patients.create(p.clinicId, actorOf(p), dto));
  }

  /** Find a patient: `q` matches name, phone, email or external reference; audited as a read. */
  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get()
  @ApiOkResponse({ type: PatientPage })
  @ApiErrorResponses(400)
  async search(@CurrentPrincipal() p: Principal, @Query() q: SearchPatientsQuery): Promise<PatientPage> {
    const page = await this.patients.search(p.clinicId, actorOf(p), q);
    return { ...page, items: page.items.map(toPatientDto) };
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id')
  @ApiOkResponse({ type: PatientDto })
  @ApiErrorResponses(400, 404)
  async get(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<PatientDto> {
    return toPatientDto(await this.patients.view(p.clinicId, id, actorOf(p)));
  }

  @Allow('admin', 'practitioner', 'integration')
  @Patch(':id')
  @ApiOkResponse({ type: PatientDto })
  @ApiErrorResponses(400, 404, 409)
  async update(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Body() dto: UpdatePatientDto): Promise<PatientDto> {
    return toPatientDto(await this.patients.update(p.clinicId, id, actorOf(p), dto));
  }
}
