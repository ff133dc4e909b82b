import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { PeriodicPass } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { queryRows } from '../database/query-rows';
import { MessagingService } from '../messaging/messaging.service';
import { staffEscalation, waitedWords } from '../protocols/texts';
import { FlagEvent } from './flag-event.entity';
import { Flag } from './flag.entity';
import { queueStaffAlerts } from './staff-alerts';

export interface EscalationReport {
  escalated: number;
  messages: number;
  errors: number;
}

const MINUTE = 60_000;

/**
 * Escalation counts the case, not each flag: another flag of the same case escalated since this
 * one reached its priority (a late onset's urgent warning sign, escalated at 30 minutes, covers
 * its high late-onset flag of the same answer).
 */
function caseEscalated(caseId: string, flagId: string, since: string): string {
  return `SELECT 1 FROM flags g JOIN flag_events x ON x.flag_id = g.id
           WHERE ${caseId} IS NOT NULL AND g.case_id = ${caseId} AND g.id <> ${flagId} AND x.kind = 'escalated' AND x.at >= ${since}`;
}

/** "31 minutes", "2 hours", "1 day 3 hours": how long a flag has waited (in English; alerts use the clinic's language). */
export function waitedPhrase(ms: number): string {
  return waitedWords('en', ms);
}

/**
 * An urgent flag nobody acknowledged within the clinic's delay (its setting, else
 * ESCALATE_URGENT_AFTER_MINUTES; a high one within its own or ESCALATE_HIGH_AFTER_HOURS) goes to every practitioner and admin of the clinic, by SMS and
 * email. The clock starts when the flag reached its current priority (its latest `raised` or
 * `priority_raised` event) or went back to open with an urgent report (the `evidence_added`
 * event carrying statusTo: open); each start escalates once. Only `open` flags escalate, and an
 * `acknowledged`, `resolved` or `reopened` event after the start means a person has it (a
 * reopened flag was looked at by whoever reopened it). A flag whose case was escalated since
 * its start does not escalate again (one page per case). Several instances may tick.
 */
@Injectable()
export class EscalationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Escalation');
  private readonly pass = new PeriodicPass<EscalationReport>('flag-escalation', this.logger);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.pass.schedule(this.scheduler, this.config.escalationIntervalMs, () => this.tick());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pass.stop(this.scheduler);
  }

  /** One pass; overlapping calls in one process share the pass under way. */
  tick(limit = 100): Promise<EscalationReport> {
    return this.pass.run(() => this.runTick(limit));
  }

  private async runTick(limit: number): Promise<EscalationReport> {
    const report: EscalationReport = { escalated: 0, messages: 0, errors: 0 };
    const failed: string[] = [];
    while (report.escalated < limit) {
      const current: { flagId: string | null } = { flagId: null };
      try {
        // One flag per transaction: a flag that cannot be escalated does not hold back the others.
        const done = await this.db.transaction(async (m) => {
          const claimed = await this.claimDue(m, failed);
          if (!claimed) return null;
          current.flagId = claimed.flag.id;
          if (claimed.already) return 'already' as const;
          return this.escalate(m, claimed.flag);
        });
        if (!done) break;
        if (done === 'already') {
          failed.push(current.flagId!);
          continue;
        }
        report.escalated++;
        report.messages += done.length;
        await this.messaging.deliverNow(done).catch((err) => this.logger.error(`Delivering escalation failed: ${err?.message ?? err}`));
      } catch (err) {
        report.errors++;
        this.logger.error(`Escalating flag ${current.flagId} failed: ${(err as Error)?.stack ?? err}`);
        if (!current.flagId) break;
        failed.push(current.flagId);
      }
    }
    return report;
  }

  /** The oldest due flag, locked; others' locked rows are skipped. */
  private async claimDue(m: EntityManager, except: string[]): Promise<{ flag: Flag & { reachedAt: Date }; already: boolean } | null> {
    // Each clinic may set its own delays (clinic settings); null takes the service's.
    const now = this.clock.now();
    const urgentAfter = `make_interval(mins => coalesce(c.escalate_urgent_after_minutes, $4::int))`;
    const highAfter = `make_interval(hours => coalesce(c.escalate_high_after_hours, $5::int))`;
    const reached = `(SELECT max(e.at) FROM flag_events e WHERE e.flag_id = f.id AND (e.kind IN ('raised', 'priority_raised') OR (e.kind = 'evidence_added' AND e.data->>'statusTo' = 'open')))`;
    const [row] = await queryRows<{ id: string; reached_at: Date }>(
      m,
      `SELECT f.id, ${reached} AS reached_at FROM flags f JOIN clinics c ON c.id = f.clinic_id
        WHERE f.status = 'open' AND f.priority IN ('urgent', 'high')
          AND f.id <> ALL($3::uuid[])
          AND ${reached} <= CASE f.priority WHEN 'urgent' THEN $1::timestamptz - ${urgentAfter} ELSE $2::timestamptz - ${highAfter} END
          AND NOT EXISTS (SELECT 1 FROM flag_events a WHERE a.flag_id = f.id AND a.kind IN ('acknowledged', 'resolved', 'reopened') AND a.at >= ${reached})
          AND NOT EXISTS (SELECT 1 FROM flag_events x WHERE x.flag_id = f.id AND x.kind = 'escalated' AND x.data->>'priority' = f.priority AND x.at >= ${reached})
          AND NOT EXISTS (${caseEscalated('f.case_id', 'f.id', reached)})
        ORDER BY f.created_at
        LIMIT 1
        FOR UPDATE OF f SKIP LOCKED`,
      [now, now, except, this.config.escalateUrgentAfterMinutes, this.config.escalateHighAfterHours],
    );
    if (!row) return null;
    const flag = await m.getRepository(Flag).findOneByOrFail({ id: row.id });
    // Read again now that the row is ours: another instance may have escalated it just before.
    const [already] = await m.query(
      `SELECT 1 FROM flag_events WHERE flag_id = $1 AND kind = 'escalated' AND data->>'priority' = $2 AND at >= $3
       UNION ALL (${caseEscalated('$4::uuid', '$1', '$3')})`,
      [flag.id, flag.priority, row.reached_at, flag.caseId],
    );
    return { flag: { ...flag, reachedAt: new Date(row.reached_at) }, already: !!already };
  }

  /** Messages, history and audit in the caller's transaction; returns the queued message ids. */
  private async escalate(m: EntityManager, flag: Flag & { reachedAt: Date }): Promise<string[]> {
    const now = this.clock.now();
    const clinic = await this.clinics.get(flag.clinicId, m);
    const staff = await this.clinics.staffWithRoles(flag.clinicId, ['practitioner', 'admin'], m);
    const alert = staffEscalation({
      locale: clinic.staffLocale,
      clinicName: clinic.name,
      priority: flag.priority,
      reason: flag.reason,
      flagUrl: `${this.config.publicBaseUrl}/app/flags/${flag.id}`,
      waitedMs: now.getTime() - flag.reachedAt.getTime(),
    });
    const { messageIds, alerted } = await queueStaffAlerts(this.messaging, m, clinic, staff, alert);
    const data = { priority: flag.priority, since: flag.reachedAt.toISOString(), staffAlerted: alerted.map((a) => a.staffUserId), messageIds };
    const repo = m.getRepository(FlagEvent);
    await repo.save(repo.create({ flagId: flag.id, clinicId: flag.clinicId, at: now, actorType: SYSTEM.type, actorId: SYSTEM.id, kind: 'escalated', data }));
    await this.audit.record(m, { clinicId: flag.clinicId, actor: SYSTEM, action: 'flag.escalated', entityType: 'flag', entityId: flag.id, data });
    this.metrics.escalated(flag.priority);
    return messageIds;
  }
}
