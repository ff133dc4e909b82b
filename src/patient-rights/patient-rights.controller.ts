import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { ErasureDto, LegalHoldDto, PatientExportDto, toErasureDto, toLegalHoldDto, toPatientExportDto } from './dto/patient-rights.dto';
import { PatientRightsService } from './patient-rights.service';
import { ReasonDto } from './reason.dto';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('patients')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/patients')
export class PatientRightsController {
  constructor(private readonly rights: PatientRightsService) {}

  /** Everything held about the patient (subject access); the export itself is audited. */
  @Allow('admin', 'compliance')
  @Get(':id/export')
  @ApiOkResponse({ type: PatientExportDto })
  @ApiErrorResponses(400, 404)
  async export(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<PatientExportDto> {
    return toPatientExportDto(await this.rights.export(p.clinicId, id, actorOf(p)));
  }

  /** Pseudonymises the patient and blanks what identifies them; the safety record stays. 409 under a legal hold. */
  @Allow('admin')
  @Post(':id/erase')
  @HttpCode(200)
  @ApiOkResponse({ type: ErasureDto })
  @ApiErrorResponses(400, 404, 409)
  async erase(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<ErasureDto> {
    return toErasureDto(await this.rights.erase(p.clinicId, id, actorOf(p), dto.reason));
  }

  // Compliance staff read everything and change nothing (issue 5): an admin places and lifts holds.
  @Allow('admin')
  @Post(':id/legal-hold')
  @HttpCode(201)
  @ApiCreatedResponse({ type: LegalHoldDto })
  @ApiErrorResponses(400, 404, 409)
  async placeHold(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<LegalHoldDto> {
    return toLegalHoldDto(await this.rights.legalHold(p.clinicId, id, actorOf(p), true, dto.reason));
  }

  @Allow('admin')
  @Delete(':id/legal-hold')
  @ApiOkResponse({ type: LegalHoldDto })
  @ApiErrorResponses(400, 404, 409)
  async liftHold(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<LegalHoldDto> {
    return toLegalHoldDto(await this.rights.legalHold(p.clinicId, id, actorOf(p), false, dto.reason));
  }
}
