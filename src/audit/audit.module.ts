import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditCheckpointsService } from './checkpoints.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';

/** Every feature records audit events; audit calls no feature. */
@Global()
@Module({ imports: [TypeOrmModule.forFeature([AuditEvent])], controllers: [AuditController], providers: [AuditService, AuditCheckpointsService], exports: [AuditService, AuditCheckpointsService] })
export class AuditModule {}
