import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AcknowledgeFlagDto, AssignFlagDto, FlagNoteDto, ListFlagsQuery, ReopenFlagDto, ResolveFlagDto } from './dto/flag.dto';
import { FlagsService } from './flags.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('flags')
@ApiBearerAuth()
@Controller('v1/flags')
export class FlagsController {
  constructor(private readonly flags: FlagsService) {}

  @Allow('practitioner', 'admin', 'compliance')
  @Get()
  list(@CurrentPrincipal() p: Principal, @Query() q: ListFlagsQuery) {
    return this.flags.list(p.clinicId, q);
  }

  @Allow('practitioner', 'admin', 'compliance')
  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.flags.get(p.clinicId, id);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/acknowledge')
  @HttpCode(200)
  acknowledge(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AcknowledgeFlagDto) {
    return this.flags.acknowledge(p.clinicId, id, actorOf(p), dto);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ResolveFlagDto) {
    return this.flags.resolve(p.clinicId, id, actorOf(p), dto);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/assign')
  @HttpCode(200)
  assign(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AssignFlagDto) {
    return this.flags.assign(p.clinicId, id, actorOf(p), dto);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/notes')
  @HttpCode(201)
  addNote(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: FlagNoteDto) {
    return this.flags.addNote(p.clinicId, id, actorOf(p), dto);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/reopen')
  @HttpCode(200)
  reopen(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ReopenFlagDto) {
    return this.flags.reopen(p.clinicId, id, actorOf(p), dto);
  }
}
