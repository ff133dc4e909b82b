import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AuditService } from './audit.service';
import { AuditCheckpointsService } from './checkpoints.service';
import { SingleLineText } from '../common/validators';

export class ListAuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'flag.resolved' }) @IsOptional() @IsString() @SingleLineText() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'entityId must be a UUID' }) entityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' }) since?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  @Allow('compliance', 'admin')
  @Get()
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListAuditQuery) {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const { items, total } = await this.audit.list(p.clinicId, { limit, offset, action: q.action, entityId: q.entityId, since: q.since ? new Date(q.since) : undefined });
    return { items, total, limit, offset };
  }

  /** Walks the chain and checks it against the clinic's latest signed checkpoint (reported as `checkpoint`). */
  @Allow('compliance', 'admin')
  @Get('verify')
  async verify(@CurrentPrincipal() p: Principal) {
    // A stored checkpoint signed by another key than this service's fails (see verifyTrusted).
    const { checkpointSignedByTrustedKey, ...report } = await this.checkpoints.verifyTrusted(p.clinicId);
    return { ...report, checkpointSignedByConfiguredKey: checkpointSignedByTrustedKey };
  }

  /** Signs the chain head now; the answer is the self-contained export (plus its id). */
  @Allow('compliance', 'admin')
  @Post('checkpoints')
  @HttpCode(201)
  createCheckpoint(@CurrentPrincipal() p: Principal) {
    return this.checkpoints.create(p.clinicId, actorOf(p));
  }

  /** Newest first; each item without its id is the export `{ clinicId, clinicSeq, headHash, createdAt, signature, publicKey }`. */
  @Allow('compliance', 'admin')
  @Get('checkpoints')
  async listCheckpoints(@CurrentPrincipal() p: Principal, @Query() q: PageQuery) {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const { items, total } = await this.checkpoints.list(p.clinicId, { limit, offset });
    return { items, total, limit, offset };
  }
}
