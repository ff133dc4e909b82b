import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { PeriodicService } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MessagingService } from '../messaging/messaging.service';
import { staffEscalation, waitedWords } from '../protocols/texts';
import { Flag } from './flag.entity';
import { FlagsRepository } from './flags.repository';
import { queueStaffAlerts } from './staff-alerts';

export interface EscalationReport {
  escalated: number;
  messages: number;
  errors: number;
}

/** "31 minutes", "2 hours", "1 day 3 hours": how long a flag has waited (in English; alerts use the clinic's language). */
export function waitedPhrase(ms: number): string {
  return waitedWords('en', ms);
}

/**
 * Decides which open urgent and high flags escalate to the whole clinic, and when. An urgent flag nobody acknowledged within the clinic's delay (its setting, else
 * ESCALATE_URGENT_AFTER_MINUTES; a high one within its own or ESCALATE_HIGH_AFTER_HOURS) goes to every practitioner and admin of the clinic, by SMS and
 * email. The clock starts when the flag reached its current priority (its latest `raised` or
 * `priority_raised` event) or went back to open with an urgent report (the `evidence_added`
 * event carrying statusTo: open); each start escalates once. Only `open` flags escalate, and an
 * `acknowledged`, `resolved` or `reopened` event after the start means a person has it (a
 * reopened flag was looked at by whoever reopened it). A flag whose case was escalated since
 * its start does not escalate again (one page per case). Several instances may tick.
 */
@Injectable()
export class EscalationService extends PeriodicService<EscalationReport> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly flags: FlagsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super('flag-escalation', 'Escalation', { scheduler, intervalMs: config.escalationIntervalMs });
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
        const done = await this.db.transaction(async (tx) => {
          const claimed = await this.claimDue(tx, failed);
          if (!claimed) return null;
          current.flagId = claimed.flag.id;
          if (claimed.already) return 'already' as const;
          return this.escalate(tx, claimed.flag);
        });
        if (!done) break;
        if (done === 'already') {
          failed.push(current.flagId!);
          continue;
        }
        report.escalated++;
        report.messages += done.length;
        await this.messaging.deliverNow(done).catch((err) => this.logger.error(`Delivering escalation failed: ${String((err as Error)?.message ?? err)}`));
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
  private async claimDue(manager: EntityManager, except: string[]): Promise<{ flag: Flag & { reachedAt: Date }; already: boolean } | null> {
    // Each clinic may set its own delays (clinic settings); null takes the service's.
    const due = await this.flags.claimDue(manager, this.clock.now(), except, { urgentAfterMinutes: this.config.escalateUrgentAfterMinutes, highAfterHours: this.config.escalateHighAfterHours });
    if (!due) return null;
    const flag = (await this.flags.find(manager, due.clinicId, due.id))!;
    const reachedAt = new Date(due.reachedAt);
    // Read again now that the row is ours: another instance may have escalated it just before.
    const already = await this.flags.escalatedSince(manager, flag, reachedAt);
    return { flag: { ...flag, reachedAt }, already };
  }

  /** Messages, history and audit in the caller's transaction; returns the queued message ids. */
  private async escalate(manager: EntityManager, flag: Flag & { reachedAt: Date }): Promise<string[]> {
    const now = this.clock.now();
    const clinic = await this.clinics.get(flag.clinicId, manager);
    const staff = await this.clinics.staffWithRoles(flag.clinicId, ['practitioner', 'admin'], manager);
    const alert = staffEscalation({
      locale: clinic.staffLocale,
      clinicName: clinic.name,
      priority: flag.priority,
      reason: flag.reason,
      flagUrl: `${this.config.publicBaseUrl}/app/flags/${flag.id}`,
      waitedMs: now.getTime() - flag.reachedAt.getTime(),
    });
    const { messageIds, alerted } = await queueStaffAlerts(this.messaging, manager, clinic, staff, alert);
    const data = { priority: flag.priority, since: flag.reachedAt.toISOString(), staffAlerted: alerted.map((a) => a.staffUserId), messageIds };
    await this.flags.insertEvent(manager, flag, SYSTEM, 'escalated', now, data);
    await this.audit.record(manager, { clinicId: flag.clinicId, actor: SYSTEM, action: 'flag.escalated', entityType: 'flag', entityId: flag.id, data });
    this.metrics.escalated(flag.priority);
    return messageIds;
  }
}
