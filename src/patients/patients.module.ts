import { Module } from '@nestjs/common';
import { PatientsController } from './patients.controller';
import { PatientsService } from './patients.service';
import { UnsubscribeController } from './unsubscribe.controller';

@Module({ controllers: [PatientsController, UnsubscribeController], providers: [PatientsService], exports: [PatientsService] })
export class PatientsModule {}
