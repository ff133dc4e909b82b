import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { SignalCasesQuery, SignalsQuery } from './dto/signals.dto';
import { SignalCasesDto, SignalReportDto, toSignalCasesDto, toSignalReportDto } from './dto/signals-response.dto';
import { SignalsService } from './signals.service';

@ApiTags('signals')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/signals')
export class SignalsController {
  constructor(private readonly signals: SignalsService) {}

  @Allow('compliance', 'admin', 'practitioner')
  @Get()
  @ApiOperation({
    summary: 'Safety signals of the caller\'s clinic, with the numbers behind them',
    description:
      'Over a rolling window (windowDays, default 90, ending now): for each lot, product, practitioner, technique and formula, ' +
      'the treatments performed (exposures) and those with an urgent or late-onset flag (events), the rate against the rest, the ' +
      "proportional reporting ratio (PRR) and Pearson's chi-square with Yates' correction (Evans et al. 2001). \"The rest\" is the rest " +
      "of the caller's own clinic's treatments in the window: a clinic's signals are computed from its own data only, never from another " +
      "clinic's. The clinic as a whole is compared with its own previous window of the same length. A value is a signal when n ≥ 3, " +
      'PRR ≥ 2 and chi-square ≥ 4, or at once when two late-onset flags share a lot (or the clinic) within 90 days. `values` lists every ' +
      'value with `signal` and `why`; `detected` lists the signals the scheduled detection has recorded and alerted compliance staff about. ' +
      'Numbers that cannot be finite (an empty comparison group, no events in the rest) are null with a note saying why.',
  })
  @ApiOkResponse({ type: SignalReportDto })
  @ApiErrorResponses(400)
  async list(@CurrentPrincipal() p: Principal, @Query() q: SignalsQuery): Promise<SignalReportDto> {
    return toSignalReportDto(await this.signals.report(p.clinicId, q.windowDays));
  }

  @Allow('compliance', 'admin', 'practitioner')
  @Get('cases')
  @ApiOperation({
    summary: 'The cases behind one row of the signals report',
    description:
      "The treatments with the row's value (dimension + value, as GET /v1/signals gives them) that count as events: an urgent or a late-onset " +
      'flag, raised by now, performed in the window; for a lot or the clinic also those whose late-onset flag falls in the lot-cluster window. ' +
      "Each with its patient, session details and the flags that make it a case. The clinic's own data only; audited as a read of patient records.",
  })
  @ApiOkResponse({ type: SignalCasesDto })
  @ApiErrorResponses(400, 404)
  async cases(@CurrentPrincipal() p: Principal, @Query() q: SignalCasesQuery): Promise<SignalCasesDto> {
    return toSignalCasesDto(await this.signals.cases(p.clinicId, actorOf(p), q.dimension, q.value, q.windowDays));
  }
}
