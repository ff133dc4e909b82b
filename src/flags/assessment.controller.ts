import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AssessFlagDto } from './dto/assess-flag.dto';
import { FlagsService } from './flags.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('flags')
@ApiBearerAuth()
@Controller('v1/flags')
export class FlagAssessmentController {
  constructor(private readonly flags: FlagsService) {}

  /** Causality and seriousness (ICH E2A) of the flagged reaction; clinical staff only, compliance reads it. */
  @Allow('practitioner', 'admin')
  @Post(':id/assess')
  @HttpCode(200)
  assess(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AssessFlagDto) {
    return this.flags.assess(p.clinicId, id, actorOf(p), dto);
  }
}
