import { BadRequestException, Controller, Get, HttpCode, Logger, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrorResponses } from '../common/api-responses';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ACTOR_TYPES, ActorType } from '../common/actor';
import { Page, PageOf, pageOf, PageQuery } from '../common/pagination';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AuditLogService } from './audit-log.service';
import { AuditCheckpointsService } from './checkpoints.service';
import { ListedAuditEventDto, toAuditEventDto } from './dto/audit-event.dto';
import {
  ChainReportDto,
  CheckpointDto,
  ExportedCheckpointDto,
  ListedCheckpointDto,
  SigningKeyDto,
  toChainReportDto,
  toCheckpointDto,
  toExportedCheckpointDto,
  toListedCheckpointDto,
} from './dto/checkpoint.dto';
import { SingleLineText } from '../common/validators';

export class ListAuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'flag.resolved' }) @IsOptional() @IsString() @SingleLineText() @MaxLength(100) action?: string;
  @ApiPropertyOptional({ example: 'flag', description: 'The kind of entity (flag, patient, treatment, staff, …)' })
  @IsOptional() @IsString() @SingleLineText() @MaxLength(100) entityType?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'entityId must be a UUID' }) entityId?: string;
  @ApiPropertyOptional({ enum: ACTOR_TYPES }) @IsOptional() @IsIn(ACTOR_TYPES, { message: `actorType must be one of ${ACTOR_TYPES.join(', ')}` }) actorType?: ActorType;
  @ApiPropertyOptional({ description: "The actor's id (a staff member's, an API key's, …)" }) @IsOptional() @IsString() @SingleLineText() @MaxLength(100) actorId?: string;
  @ApiPropertyOptional({ description: 'At or after (ISO 8601)' }) @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' }) since?: string;
  @ApiPropertyOptional({ description: 'Before (ISO 8601)' }) @IsOptional() @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' }) until?: string;
}


@ApiTags('audit')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/audit-events')
export class AuditController {
  private readonly logger = new Logger('AuditVerify');

  constructor(
    private readonly auditLog: AuditLogService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  @Allow('compliance', 'admin')
  @Get()
  @ApiOkResponse({ type: PageOf(ListedAuditEventDto) })
  @ApiErrorResponses(400)
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListAuditQuery): Promise<Page<ListedAuditEventDto>> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const since = q.since ? new Date(q.since) : undefined;
    const until = q.until ? new Date(q.until) : undefined;
    if (since && until && since >= until) throw new BadRequestException('since must be before until');
    const { items, total } = await this.auditLog.list(p.clinicId, {
      limit, offset, action: q.action, entityType: q.entityType, entityId: q.entityId, actorType: q.actorType, actorId: q.actorId, since, until,
    });
    const names = await this.auditLog.staffNames(p.clinicId, items.filter((e) => e.actorType === 'staff' && e.actorId).map((e) => e.actorId!));
    const claims = await this.auditLog.erasuresClaiming(p.clinicId, items.filter((e) => e.payloadRedactedAt).map((e) => e.clinicSeq));
    return {
      items: items.map((e) => ({
        ...toAuditEventDto(e),
        actorName: (e.actorType === 'staff' && e.actorId && names.get(e.actorId)) || null,
        redactedBy: claims.get(String(e.clinicSeq)) ?? null,
      })),
      total,
      limit,
      offset,
    };
  }

  /**
   * The verification as a stream, for a long chain: Server-Sent Events `progress`
   * (`{ checked, total }`, after each page of events hashed) and then one `report` (the
   * ChainReportDto of GET verify) or `failed` (`{ message }`); the stream then ends. The walk
   * stops when the client goes away.
   */
  @Allow('compliance', 'admin')
  @Get('verify/stream')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    content: { 'text/event-stream': { schema: { type: 'string' } } },
    description: 'text/event-stream: `event: progress` `data: {"checked":5000,"total":12001}` …, then `event: report` `data: <ChainReportDto>` (or `event: failed` `data: {"message":…}`)',
  })
  async verifyStream(@CurrentPrincipal() p: Principal, @Res() res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const aborted = new AbortController();
    // The response closes when the client goes away (or once it has ended): stop walking then.
    res.on('close', () => aborted.abort());
    const send = (event: string, data: unknown) => {
      if (!res.destroyed && !res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // One progress event per page of 5000 events hashed: ~200 for a million.
    send('progress', { checked: 0, total: 0 });
    try {
      const { checkpointSignedByTrustedKey, ...report } = await this.checkpoints.verifyTrusted(p.clinicId, {
        signal: aborted.signal,
        onProgress: (progress) => send('progress', progress),
      });
      send('progress', { checked: report.count, total: report.count });
      send('report', toChainReportDto(report, checkpointSignedByTrustedKey));
    } catch (err) {
      if (!aborted.signal.aborted) {
        this.logger.error(err instanceof Error ? err.stack : String(err));
        send('failed', { message: 'The verification could not be completed; try again' });
      }
    }
    res.end();
  }

  /** The key checkpoints are signed with, to verify downloaded checkpoints offline, and the CLI command that does. */
  @Allow('compliance', 'admin')
  @Get('signing-key')
  @ApiOkResponse({ type: SigningKeyDto })
  signingKey(@CurrentPrincipal() p: Principal): SigningKeyDto {
    return {
      publicKey: this.checkpoints.publicKey(),
      verifyCommand: `npm run cli -- audit:verify --clinic ${p.clinicId} --checkpoint checkpoint.json --public-key audit-public-key.pem`,
    };
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
  @ApiOkResponse({ type: PageOf(ListedCheckpointDto) })
  @ApiErrorResponses(400)
  async listCheckpoints(@CurrentPrincipal() p: Principal, @Query() q: PageQuery): Promise<Page<ListedCheckpointDto>> {
    const { take: limit, skip: offset } = pageOf(q);
    const { items, total } = await this.checkpoints.list(p.clinicId, { limit, offset });
    return { items: items.map(toListedCheckpointDto), total, limit, offset };
  }

  /** One checkpoint as a download: the JSON `audit:verify --checkpoint` verifies without the database. */
  @Allow('compliance', 'admin')
  @Get('checkpoints/:id/export')
  @ApiOkResponse({ type: ExportedCheckpointDto, description: 'Content-Disposition: attachment; filename="audit-checkpoint_<clinic>_<seq>.json"' })
  @ApiErrorResponses(400, 404)
  async exportCheckpoint(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Res({ passthrough: true }) res: Response): Promise<ExportedCheckpointDto> {
    const cp = await this.checkpoints.get(p.clinicId, id);
    if (!cp) throw new NotFoundException('No such checkpoint in your clinic');
    res.setHeader('Content-Disposition', `attachment; filename="audit-checkpoint_${cp.clinicId}_${cp.clinicSeq}.json"`);
    return toExportedCheckpointDto(cp);
  }
}
