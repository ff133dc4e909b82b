import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStore } from './rate-limit.store';

/** Counters shared by every instance in PostgreSQL; imports no feature, any feature may use it. */
@Global()
@Module({
  providers: [RateLimitStore, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [RateLimitStore],
})
export class RateLimitsModule {}
