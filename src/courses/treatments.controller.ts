import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CourseCheckInDto, toCourseCheckInDto } from '../check-ins/dto/check-in.dto';
import { ApiErrorResponses } from '../common/api-responses';
import { ItemsOf } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { CancelTreatmentDto, CreateTreatmentDto } from '../treatments/dto/treatment.dto';
import { CancelledTreatmentDto, toCancelledTreatmentDto, toTreatmentDto, TreatmentDto } from '../treatments/dto/treatment-response.dto';
import { TreatmentsService } from '../treatments/treatments.service';
import { CoursesService } from './courses.service';
import { CreatedTreatmentDto, toCreatedTreatmentDto } from './dto/created-treatment.dto';

const uuid = new ParseUUIDPipe({ version: '4' });
const CheckInList = ItemsOf(CourseCheckInDto);

@ApiTags('treatments')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiErrorResponses(401, 403)
@Controller('v1/treatments')
/** The treatment routes: a session is recorded and cancelled with its follow-up, so they live above treatments and check-ins. */
export class TreatmentsController {
  constructor(
    private readonly treatments: TreatmentsService,
    private readonly courses: CoursesService,
  ) {}

  @Allow('admin', 'practitioner', 'integration')
  @Post()
  @ApiCreatedResponse({ type: CreatedTreatmentDto })
  @ApiErrorResponses(400, 404, 409)
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateTreatmentDto): Promise<CreatedTreatmentDto> {
    return toCreatedTreatmentDto(await this.courses.create(p.clinicId, actorOf(p), dto));
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id')
  @ApiOkResponse({ type: TreatmentDto })
  @ApiErrorResponses(400, 404)
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<TreatmentDto> {
    return toTreatmentDto(await this.treatments.get(p.clinicId, id));
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id/check-ins')
  @ApiOkResponse({ type: CheckInList })
  @ApiErrorResponses(400, 404)
  async checkIns(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<{ items: CourseCheckInDto[] }> {
    return { items: (await this.courses.checkInsOf(p.clinicId, id)).map(toCourseCheckInDto) };
  }

  @Allow('admin', 'practitioner', 'integration')
  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: CancelledTreatmentDto })
  @ApiErrorResponses(400, 404, 409)
  async cancel(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: CancelTreatmentDto): Promise<CancelledTreatmentDto> {
    return toCancelledTreatmentDto(await this.courses.cancel(p.clinicId, id, actorOf(p), dto));
  }
}
