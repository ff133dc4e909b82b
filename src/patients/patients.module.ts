import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { PatientsController } from './patients.controller';
import { PatientsService } from './patients.service';
import { UnsubscribeController } from './unsubscribe.controller';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Patient } from './patient.entity';

@Module({ imports: [TypeOrmModule.forFeature([Patient]), ClinicsModule], controllers: [PatientsController, UnsubscribeController], providers: [PatientsService], exports: [PatientsService] })
export class PatientsModule {}
