import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { MessagingModule } from '../messaging/messaging.module';
import { FlagsController } from './flags.controller';
import { FlagsService } from './flags.service';

@Module({ imports: [ClinicsModule, MessagingModule], controllers: [FlagsController], providers: [FlagsService], exports: [FlagsService] })
export class FlagsModule {}
