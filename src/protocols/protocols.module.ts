import { Module } from '@nestjs/common';
import { ProtocolsController } from './protocols.controller';
import { ProtocolsService } from './protocols.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Protocol } from './protocol.entity';

@Module({ imports: [TypeOrmModule.forFeature([Protocol])], controllers: [ProtocolsController], providers: [ProtocolsService], exports: [ProtocolsService] })
export class ProtocolsModule {}
