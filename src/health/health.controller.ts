import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Readiness, ReadinessService } from './readiness.service';

function unavailable(r: Readiness): ServiceUnavailableException {
  return new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: r.failing.join('; ') });
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The combined view: readiness with each part named. */
  @Public()
  @Get()
  async check() {
    const r = await this.readiness.check();
    if (!r.ready) throw unavailable(r);
    return { status: 'ok', ...r.checks, channels: this.config.channels };
  }

  /** Liveness: the process answers; no database call, so a database outage does not restart it. */
  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: send traffic here only when this answers 200. */
  @Public()
  @Get('ready')
  async ready() {
    const r = await this.readiness.check();
    if (!r.ready) throw unavailable(r);
    return { status: 'ok', ...r.checks, channels: this.config.channels };
  }
}
