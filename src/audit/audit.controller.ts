import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Page, PageOf, PageQuery } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AuditService } from './audit.service';
import { AuditCheckpointsService } from './checkpoints.service';
import { AuditEventDto, toAuditEventDto } from './dto/audit-event.dto';
import { ChainReportDto, CheckpointDto, toChainReportDto, toCheckpointDto } from './dto/checkpoint.dto';
import { SingleLineText } from '../common/validators';

export class ListAuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'flag.resolved' }) @IsOptional() @IsString() @SingleLineText() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'entityId must be a UUID' }) entityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' }) since?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/audit-events')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  @Allow('compliance', 'admin')
  @Get()
  @ApiOkResponse({ type: PageOf(AuditEventDto) })
  @ApiErrorResponses(400)
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListAuditQuery): Promise<Page<AuditEventDto>> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const { items, total } = await this.audit.list(p.clinicId, { limit, offset, action: q.action, entityId: q.entityId, since: q.since ? new Date(q.since) : undefined });
    return { items: items.map(toAuditEventDto), total, limit, offset };
  }

  /** Walks the chain and checks it against the clinic's latest signed checkpoint (reported as `checkpoint`). */
  @Allow('compliance', 'admin')
  @Get('verify')
  @ApiOkResponse({ type: ChainReportDto })
  async verify(@CurrentPrincipal() p: Principal): Promise<ChainReportDto> {
    // A stored checkpoint signed by another key than this service's fails (see verifyTrusted).
    const { checkpointSignedByTrustedKey, ...report } = await this.checkpoints.verifyTrusted(p.clinicId);
    return toChainReportDto(report, checkpointSignedByTrustedKey);
  }

  /** Signs the chain head now; the answer is the self-contained export (plus its id). */
  @Allow('compliance', 'admin')
  @Post('checkpoints')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CheckpointDto })
  async createCheckpoint(@CurrentPrincipal() p: Principal): Promise<CheckpointDto> {
    return toCheckpointDto(await this.checkpoints.create(p.clinicId, actorOf(p)));
  }

  /** Newest first; each item without its id is the export `{ clinicId, clinicSeq, headHash, createdAt, signature, publicKey }`. */
  @Allow('compliance', 'admin')
  @Get('checkpoints')
  @ApiOkResponse({ type: PageOf(CheckpointDto) })
  @ApiErrorResponses(400)
  async listCheckpoints(@CurrentPrincipal() p: Principal, @Query() q: PageQuery): Promise<Page<CheckpointDto>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const { items, total } = await this.checkpoints.list(p.clinicId, { limit, offset });
    return { items: items.map(toCheckpointDto), total, limit, offset };
  }
}
