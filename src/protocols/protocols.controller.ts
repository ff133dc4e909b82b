import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { ItemsOf } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { PutProtocolDto } from './dto/protocol.dto';
import { ProtocolDto, ProtocolUsageListDto, toProtocolDto } from './dto/protocol-response.dto';
import { ProtocolsService } from './protocols.service';

const uuid = new ParseUUIDPipe({ version: '4' });
const ProtocolList = ItemsOf(ProtocolDto);

@ApiTags('protocols')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiErrorResponses(401, 403)
@Controller('v1/protocols')
export class ProtocolsController {
  constructor(private readonly protocols: ProtocolsService) {}

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get()
  @ApiOperation({ summary: "What the clinic uses now: its newest version of each key and the shipped defaults it has not replaced ('body', 'face-scalp', and 'default' for older treatments)" })
  @ApiOkResponse({ type: ProtocolList })
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: ProtocolDto[] }> {
    return { items: (await this.protocols.listCurrent(p.clinicId)).map(toProtocolDto) };
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get('keys/:key/versions')
  @ApiOperation({ summary: 'Every version of a key the clinic can see, newest first' })
  @ApiOkResponse({ type: ProtocolList })
  @ApiErrorResponses(400, 404)
  async versions(@CurrentPrincipal() p: Principal, @Param('key') key: string): Promise<{ items: ProtocolDto[] }> {
    return { items: (await this.protocols.versions(p.clinicId, key)).map(toProtocolDto) };
  }

  @Allow('admin', 'compliance')
  @Get('usage')
  @ApiOperation({ summary: "Which protocol versions the clinic's treatments follow, with how many treatments and patients each" })
  @ApiOkResponse({ type: ProtocolUsageListDto })
  async usage(@CurrentPrincipal() p: Principal): Promise<ProtocolUsageListDto> {
    return { items: await this.protocols.usage(p.clinicId) };
  }

  @Allow('admin', 'practitioner', 'compliance', 'integration')
  @Get(':id')
  @ApiOkResponse({ type: ProtocolDto })
  @ApiErrorResponses(400, 404)
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<ProtocolDto> {
    return toProtocolDto(await this.protocols.getForClinic(p.clinicId, id));
  }

  @Allow('admin')
  @Put(':key')
  @ApiOperation({ summary: "A new version of the clinic's protocol for this key (versions are never changed). New treatments get it; treatments already recorded keep theirs. The first clinic version of a shipped key is numbered after the shipped one." })
  @ApiOkResponse({ type: ProtocolDto })
  @ApiErrorResponses(400, 409)
  async put(@CurrentPrincipal() p: Principal, @Param('key') key: string, @Body() dto: PutProtocolDto): Promise<ProtocolDto> {
    return toProtocolDto(await this.protocols.createVersion(p.clinicId, key, dto, actorOf(p)));
  }
}
