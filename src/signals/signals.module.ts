import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { SignalsController } from './signals.controller';
import { SignalsRepository } from './signals.repository';
import { SignalsService } from './signals.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Signal } from './signal.entity';

/** Reads treatments and flags read-only, owns the signals table; nothing imports it. */
@Module({ imports: [TypeOrmModule.forFeature([Signal]), ClinicsModule, MessagingModule], controllers: [SignalsController], providers: [SignalsService, SignalsRepository], exports: [SignalsService] })
export class SignalsModule {}
