import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { PutProtocolDto } from './dto/protocol.dto';
import { ProtocolsService } from './protocols.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('protocols')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/protocols')
export class ProtocolsController {
  constructor(private readonly protocols: ProtocolsService) {}

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get()
  @ApiOperation({ summary: "What the clinic uses now: its newest version of each key and the shipped defaults it has not replaced ('body', 'face-scalp', and 'default' for older treatments)" })
  async list(@CurrentPrincipal() p: Principal) {
    return { items: await this.protocols.listCurrent(p.clinicId) };
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get('keys/:key/versions')
  @ApiOperation({ summary: 'Every version of a key the clinic can see, newest first' })
  async versions(@CurrentPrincipal() p: Principal, @Param('key') key: string) {
    return { items: await this.protocols.versions(p.clinicId, key) };
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.protocols.getForClinic(p.clinicId, id);
  }

  @Allow('admin')
  @Put(':key')
  @ApiOperation({ summary: "A new version of the clinic's protocol for this key (versions are never changed). New treatments get it; treatments already recorded keep theirs. The first clinic version of a shipped key is numbered after the shipped one." })
  put(@CurrentPrincipal() p: Principal, @Param('key') key: string, @Body() dto: PutProtocolDto) {
    return this.protocols.createVersion(p.clinicId, key, dto, actorOf(p));
  }
}
