import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { Page, PageOf } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AcknowledgeFlagDto, AssignFlagDto, FlagNoteDto, ListFlagsQuery, ReopenFlagDto, ResolveFlagDto } from './dto/flag.dto';
import { FlagDto, FlagWithHistoryDto, toFlagDto, toFlagWithHistoryDto } from './dto/flag-response.dto';
import { FlagQueueService } from './flag-queue.service';
import { FlagTriageService } from './flag-triage.service';
import { PhotosService } from '../photos/photos.service';
import { toPhotoLinkDto } from '../photos/dto/photo.dto';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('flags')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/flags')
export class FlagsController {
  constructor(
    private readonly queue: FlagQueueService,
    private readonly triage: FlagTriageService,
    private readonly photos: PhotosService,
  ) {}

  @Allow('practitioner', 'admin', 'compliance')
  @Get()
  @ApiOkResponse({ type: PageOf(FlagDto) })
  @ApiErrorResponses(400)
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListFlagsQuery): Promise<Page<FlagDto>> {
    const page = await this.queue.list(p.clinicId, q);
    return { ...page, items: page.items.map(toFlagDto) };
  }

  @Allow('practitioner', 'admin', 'compliance')
  @Get(':id')
  @ApiOkResponse({ type: FlagWithHistoryDto })
  @ApiErrorResponses(400, 404)
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<FlagWithHistoryDto> {
    const flag = await this.queue.get(p.clinicId, id);
    // The photos that came with the answer (or the text) the flag was raised on, as short-lived links for this caller.
    const rows = flag.responseId
      ? await this.photos.forResponses(p.clinicId, [flag.responseId])
      : flag.messageId
        ? await this.photos.forMessages(p.clinicId, [flag.messageId])
        : [];
    return { ...toFlagWithHistoryDto(flag), photos: this.photos.linksFor(rows, actorOf(p)).map(toPhotoLinkDto) };
  }

  @Allow('practitioner', 'admin')
  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: FlagDto })
  @ApiErrorResponses(400, 404, 409)
  async acknowledge(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AcknowledgeFlagDto): Promise<FlagDto> {
    return toFlagDto(await this.triage.acknowledge(p.clinicId, id, actorOf(p), dto));
  }

  @Allow('practitioner', 'admin')
  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: FlagDto })
  @ApiErrorResponses(400, 404, 409)
  async resolve(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ResolveFlagDto): Promise<FlagDto> {
    return toFlagDto(await this.triage.resolve(p.clinicId, id, actorOf(p), dto));
  }

  @Allow('practitioner', 'admin')
  @Post(':id/assign')
  @HttpCode(200)
  @ApiOkResponse({ type: FlagDto })
  @ApiErrorResponses(400, 404, 409)
  async assign(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AssignFlagDto): Promise<FlagDto> {
    return toFlagDto(await this.triage.assign(p.clinicId, id, actorOf(p), dto));
  }

  @Allow('practitioner', 'admin')
  @Post(':id/notes')
  @HttpCode(201)
  @ApiCreatedResponse({ type: FlagDto })
  @ApiErrorResponses(400, 404, 409)
  async addNote(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: FlagNoteDto): Promise<FlagDto> {
    return toFlagDto(await this.triage.addNote(p.clinicId, id, actorOf(p), dto));
  }

  @Allow('practitioner', 'admin')
  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOkResponse({ type: FlagDto })
  @ApiErrorResponses(400, 404, 409)
  async reopen(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReopenFlagDto): Promise<FlagDto> {
    return toFlagDto(await this.triage.reopen(p.clinicId, id, actorOf(p), dto));
  }
}
