import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How a check-in's send attempt ended, by the audit action the dispatcher records for it. */
const CHECK_IN_OUTCOME: Record<string, 'sent' | 'retried' | 'failed'> = {
  'check_in.sent': 'sent',
  'check_in.retry_scheduled': 'retried',
  'check_in.fallback': 'retried',
  'check_in.failed': 'failed',
};

/**
 * The service's counters and histograms, one registry per application (tests run several in one
 * process). Features call these one-line methods; nothing here imports a feature. Gauges that
 * need the database are computed at scrape time by the /metrics controller.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly checkIns = new Counter({
    name: 'aftercare_check_ins_total',
    help: 'Check-in send attempts by outcome (sent, retried, failed), channel and failure kind',
    labelNames: ['outcome', 'channel', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly tickSeconds = new Histogram({
    name: 'aftercare_dispatcher_tick_seconds',
    help: 'Duration of one dispatcher pass',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly replies = new Counter({
    name: 'aftercare_inbound_replies_total',
    help: 'Patient answers received, by channel (sms, email form link)',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  private readonly flags = new Counter({
    name: 'aftercare_flags_raised_total',
    help: 'Flags raised, by priority',
    labelNames: ['priority'] as const,
    registers: [this.registry],
  });
  private readonly escalations = new Counter({
    name: 'aftercare_escalations_total',
    help: 'Unacknowledged flags escalated to every practitioner and admin, by priority',
    labelNames: ['priority'] as const,
    registers: [this.registry],
  });
  private readonly httpSeconds = new Histogram({
    name: 'aftercare_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'aftercare_' });
  }

  /** The dispatcher settled a check-in's send with `action` (its audit action); `kind` is the failure's kind, if any. */
  checkInSettled(action: string, channel: string, kind: string | null = null): void {
    const outcome = CHECK_IN_OUTCOME[action];
    if (outcome) this.checkIns.inc({ outcome, channel, kind: kind ?? 'none' });
  }

  /** Times one dispatcher pass. */
  async timeTick<T>(pass: () => Promise<T>): Promise<T> {
    const end = this.tickSeconds.startTimer();
    try {
      return await pass();
    } finally {
      end();
    }
  }

  inboundReply(channel: string): void {
    this.replies.inc({ channel });
  }

  flagRaised(priority: string): void {
    this.flags.inc({ priority });
  }

  escalated(priority: string): void {
    this.escalations.inc({ priority });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status: String(status) }, seconds);
  }
}
