import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { Signal } from './signal.entity';
import { SignalsController } from './signals.controller';
import { SignalsRepository } from './signals.repository';
import { SignalsService } from './signals.service';

/** Reads treatments and flags read-only, owns the signals table; nothing imports it. */
@Module({
  imports: [TypeOrmModule.forFeature([Signal]), ClinicsModule, MessagingModule],
  controllers: [SignalsController],
  providers: [SignalsService, SignalsRepository],
  exports: [SignalsService],
})
export class SignalsModule {}
