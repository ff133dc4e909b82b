import { Controller, Get, Headers, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Gauge } from 'prom-client';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { OperationsRepository } from './operations.repository';

/** A check-in due longer than this is overdue: the dispatcher should have taken it by now. */
export const OVERDUE_AFTER_SECONDS = 300;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Prometheus text for the operator, behind METRICS_TOKEN (a bearer token); without one the
 * route does not exist (404). Gauges over the queue are read at scrape time with indexed
 * queries across all clinics: counts and ages only, never a clinic's rows.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly operations: OperationsRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const registers = [metrics.registry];
    const gauge = (name: string, help: string, collect: (g: Gauge) => Promise<void>) =>
      new Gauge({ name, help, registers, async collect() { await collect(this); } });
    const seconds = (at: Date | string | null) => (at ? Math.max(0, (this.clock.now().getTime() - new Date(at).getTime()) / 1000) : 0);
    // One query feeds three gauges; a scrape collects them all at once, so they share it.
    let dueQuery: ReturnType<OperationsRepository['checkInsDue']> | null = null;
    const dueNow = () => (dueQuery ??= this.operations.checkInsDue(this.clock.now(), OVERDUE_AFTER_SECONDS).finally(() => (dueQuery = null)));
    gauge('aftercare_check_ins_due', 'Check-ins due now and not yet sent', async (g) => g.set((await dueNow()).due));
    gauge('aftercare_check_ins_overdue', `Check-ins due for more than ${OVERDUE_AFTER_SECONDS} s`, async (g) => g.set((await dueNow()).overdue));
    gauge('aftercare_check_ins_due_lag_seconds', 'How long the oldest due check-in has waited (0: none due)', async (g) => g.set(seconds((await dueNow()).oldest)));
    gauge('aftercare_messages_queued', 'Messages waiting to be sent', async (g) => g.set(await this.operations.messagesQueued()));
    gauge('aftercare_urgent_flag_unacknowledged_age_seconds', 'Age of the oldest open (unacknowledged) urgent flag (0: none)', async (g) =>
      g.set(seconds(await this.operations.oldestOpenUrgentFlag())),
    );
    gauge('aftercare_audit_checkpoint_age_seconds', 'Age of the newest signed audit checkpoint of any clinic (-1: none yet)', async (g) => {
      const newest = await this.operations.newestCheckpoint();
      g.set(newest ? seconds(newest) : -1);
    });
    // A counter kept by the database: every instance's appends, and it survives restarts.
    gauge('aftercare_audit_events_appended', "Audit events appended so far (the audit log's highest sequence number)", async (g) => g.set(await this.operations.auditEventsAppended()));
  }

  @Public()
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const token = this.config.metricsToken;
    if (!token) throw new NotFoundException('Cannot GET /metrics');
    const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(given), digest(token))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedException('A valid METRICS_TOKEN bearer token is required');
    }
    const text = await this.metrics.registry.metrics();
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(text);
  }
}
