import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { HealthDto, LiveDto } from './dto/health.dto';
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

  /** The combined view: readiness with each part named, and the live channels. */
  @Public()
  @Get()
  @ApiOkResponse({ type: HealthDto })
  @ApiErrorResponses(503)
  check(): Promise<HealthDto> {
    return this.ready();
  }

  /** Liveness: the process answers; no database call, so a database outage does not restart it. */
  @Public()
  @Get('live')
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'ok' };
  }

  /** Readiness: send traffic here only when this answers 200. */
  @Public()
  @Get('ready')
  @ApiOkResponse({ type: HealthDto })
  @ApiErrorResponses(503)
  async ready(): Promise<HealthDto> {
    const r = await this.readiness.check();
    if (!r.ready) throw unavailable(r);
    return { status: 'ok', ...r.checks, channels: this.config.channels };
  }
}
