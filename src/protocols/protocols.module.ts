import { Module } from '@nestjs/common';
import { ProtocolsController } from './protocols.controller';
import { ProtocolsRepository } from './protocols.repository';
import { ProtocolsService } from './protocols.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Protocol } from './protocol.entity';

@Module({ imports: [TypeOrmModule.forFeature([Protocol])], controllers: [ProtocolsController], providers: [ProtocolsService, ProtocolsRepository], exports: [ProtocolsService] })
export class ProtocolsModule {}
