import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { Allow, CurrentPrincipal, Principal } from '../common/principal';
import { AuditService } from './audit.service';

export class ListAuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'flag.resolved' }) @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'entityId must be a UUID' }) entityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' }) since?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Allow('compliance', 'admin')
  @Get()
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListAuditQuery) {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const { items, total } = await this.audit.list(p.clinicId, { limit, offset, action: q.action, entityId: q.entityId, since: q.since ? new Date(q.since) : undefined });
    return { items, total, limit, offset };
  }

  @Allow('compliance', 'admin')
  @Get('verify')
  verify(@CurrentPrincipal() p: Principal) {
    return this.audit.verify(p.clinicId);
  }
}
