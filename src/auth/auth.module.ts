import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ClinicsModule } from '../clinics/clinics.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { StaffCredentialsModule } from './staff-credentials.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { StaffSession } from './staff-session.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey, StaffSession]),
    ClinicsModule,
    StaffCredentialsModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => {
        // The same secret as a KeyObject made once: given a string, jsonwebtoken first tries to read
        // it as a public key (a thrown exception) on every verify, a millisecond of CPU per request.
        const key = createSecretKey(Buffer.from(c.jwtSecret, 'utf8'));
        return { secretOrKeyProvider: () => key, signOptions: { issuer: 'aftercare' }, verifyOptions: { issuer: 'aftercare' } };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, AuthRepository, LoginThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
