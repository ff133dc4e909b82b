import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditCheckpointsService } from './checkpoints.service';

/** Every feature records audit events; audit calls no feature. */
@Global()
@Module({ controllers: [AuditController], providers: [AuditService, AuditCheckpointsService], exports: [AuditService, AuditCheckpointsService] })
export class AuditModule {}
