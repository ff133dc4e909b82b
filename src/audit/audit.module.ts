import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';
import { AuditLogService } from './audit-log.service';
import { AuditRedactionService } from './audit-redaction.service';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { ChainVerifier } from './chain-verifier.service';
import { AuditCheckpointsService } from './checkpoints.service';

/** Every feature records audit events; audit calls no feature. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, AuditLogService, AuditRedactionService, ChainVerifier, AuditCheckpointsService],
  exports: [AuditService, AuditLogService, AuditRedactionService, ChainVerifier, AuditCheckpointsService],
})
export class AuditModule {}
