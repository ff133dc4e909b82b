import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { PatientRightsService } from './patient-rights.service';
import { ReasonDto } from './reason.dto';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class PatientRightsController {
  constructor(private readonly rights: PatientRightsService) {}

  /** Everything held about the patient (subject access); the export itself is audited. */
  @Allow('admin', 'compliance')
  @Get(':id/export')
  export(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.rights.export(p.clinicId, id, actorOf(p));
  }

  /** Pseudonymises the patient and blanks what identifies them; the safety record stays. 409 under a legal hold. */
  @Allow('admin')
  @Post(':id/erase')
  @HttpCode(200)
  erase(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReasonDto) {
    return this.rights.erase(p.clinicId, id, actorOf(p), dto.reason);
  }

  // Compliance staff read everything and change nothing (issue 5): an admin places and lifts holds.
  @Allow('admin')
  @Post(':id/legal-hold')
  @HttpCode(201)
  placeHold(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReasonDto) {
    return this.rights.legalHold(p.clinicId, id, actorOf(p), true, dto.reason);
  }

  @Allow('admin')
  @Delete(':id/legal-hold')
  liftHold(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReasonDto) {
    return this.rights.legalHold(p.clinicId, id, actorOf(p), false, dto.reason);
  }
}
