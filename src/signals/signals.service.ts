import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor, SYSTEM } from '../common/actor';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { PeriodicService } from '../common/periodic-pass';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MessagingService } from '../messaging/messaging.service';
import { CLUSTER_MIN_PATIENTS, CLUSTER_WINDOW_DAYS, detectSignals, SignalDimension, SignalKind, SignalRow } from './detect';
import { CHI_SQUARE_METHOD, PRR_INTERVAL_METHOD, SIGNAL_CRITERIA } from './disproportionality';
import { Signal } from './signal.entity';
import { SignalCaseFlag, SignalsRepository } from './signals.repository';

const DAY_MS = 86400_000;
/** The window the scheduled detection uses (GET /v1/signals may ask for another). */
export const DEFAULT_SIGNAL_WINDOW_DAYS = 90;

export const SIGNAL_METHOD = {
  events: 'Distinct treatments with an urgent flag or a late-onset flag (rule late-onset), in any status, raised by the end of the window. In a course of sessions a flag counts for every session the answered check-in counted for.',
  exposures: 'Treatments performed in the window, cancelled ones left out.',
  comparison:
    "Each lot, product, practitioner, technique and formula is compared with the rest of the same clinic's treatments in the window (never another clinic's). Treatments with no value recorded count in the rest only. The clinic as a whole is compared with its own previous window of the same length.",
  table: 'a = events with the value, b = exposures with the value and no event, c = events in the rest, d = exposures in the rest with no event.',
  prr: 'PRR = (a/(a+b)) / (c/(c+d)); null with prrNote when it is not a finite number (prrInfinite: events here and none in the rest).',
  prrInterval: PRR_INTERVAL_METHOD,
  chiSquare: CHI_SQUARE_METHOD,
  criteria: { ...SIGNAL_CRITERIA, rule: 'a signal when n = a ≥ 3, PRR ≥ 2 (an infinite PRR counts) and chi-square ≥ 4' },
  cluster: { windowDays: CLUSTER_WINDOW_DAYS, minPatients: CLUSTER_MIN_PATIENTS, rule: `${CLUSTER_MIN_PATIENTS} patients with late-onset flags on one lot, or in the clinic, within the last ${CLUSTER_WINDOW_DAYS} days: a signal at once, whatever the PRR` },
} as const;

export interface SignalReport {
  windowDays: number;
  from: Date;
  to: Date;
  method: typeof SIGNAL_METHOD;
  totals: { exposures: number; events: number };
  /** Every value of every dimension with its numbers, signal or not. */
  values: SignalRow[];
  /** The values that are a signal now. */
  signals: SignalRow[];
  /** Signals the scheduled detection has found and alerted, newest first, with the numbers when last seen. */
  detected: Signal[];
}

export interface SignalCase {
  treatmentId: string;
  patientId: string;
  patientName: string;
  patientErased: boolean;
  performedAt: Date;
  procedure: string;
  product: string;
  lotNumber: string | null;
  practitionerId: string | null;
  practitionerName: string | null;
  technique: string | null;
  formula: string | null;
  /** Performed in the window (counted in the row's a); false: only in the lot-cluster window. */
  inWindow: boolean;
  flags: SignalCaseFlag[];
}

export interface SignalCases {
  dimension: SignalDimension;
  value: string;
  label: string | null;
  windowDays: number;
  from: Date;
  to: Date;
  exposures: number;
  events: number;
  cases: SignalCase[];
}

/**
 * Decides which products, lots, practitioners and techniques stand out (disproportionality, late-onset lot
 * clusters), records new signals and alerts compliance, on a schedule and on request.
 */
@Injectable()
export class SignalsService extends PeriodicService<{ clinics: number; newSignals: number }> {

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: SignalsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
    private readonly messaging: MessagingService,
    scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('signal-detection', 'Signals', { scheduler, intervalMs: config.signalIntervalMs });
  }

  /** The clinic's signals now, from its own data only. */
  async report(clinicId: string, windowDays = DEFAULT_SIGNAL_WINDOW_DAYS): Promise<SignalReport> {
    const to = this.clock.now();
    const { from, rows, totals } = await this.compute(clinicId, windowDays, to);
    const names = new Map((await this.clinics.listStaff(clinicId)).map((s) => [s.id, s.name]));
    for (const r of rows) if (r.dimension === 'practitioner') r.label = names.get(r.value) ?? null;
    return { windowDays, from, to, method: SIGNAL_METHOD, totals, values: rows, signals: rows.filter((r) => r.signal), detected: await this.repo.listDetected(clinicId) };
  }

  /**
   * The cases behind one row of the report: the value's treatments with an urgent or late-onset
   * flag (those in the window, and for a lot or the clinic those in the lot-cluster window), each
   * with its flags and patient. A read of patient records: audited with the ids it showed.
   */
  async cases(clinicId: string, actor: Actor, dimension: SignalDimension, value: string, windowDays = DEFAULT_SIGNAL_WINDOW_DAYS): Promise<SignalCases> {
    if (dimension === 'clinic' && value !== clinicId) throw new NotFoundException('For the clinic as a whole, value is your own clinic\'s id');
    const to = this.clock.now();
    const from = new Date(to.getTime() - windowDays * DAY_MS);
    const clusterFrom = new Date(to.getTime() - CLUSTER_WINDOW_DAYS * DAY_MS);
    const [rows, exposures] = await Promise.all([
      this.repo.casesBehind(clinicId, dimension, value, { from, to, clusterFrom }),
      this.repo.exposures(clinicId, dimension, value, from, to),
    ]);
    const names = new Map((await this.clinics.listStaff(clinicId)).map((s) => [s.id, s.name]));
    await this.audit.recordAccess({
      clinicId,
      actor,
      action: 'signal.cases_viewed',
      entityType: 'signal',
      entityId: null,
      data: { dimension, value, windowDays, patientIds: [...new Set(rows.map((r) => r.patient_id))], treatmentIds: rows.map((r) => r.treatment_id) },
    });
    return {
      dimension,
      value,
      label: dimension === 'practitioner' ? names.get(value) ?? null : null,
      windowDays,
      from,
      to,
      exposures,
      events: rows.filter((r) => r.in_window).length,
      cases: rows.map((r) => ({
        treatmentId: r.treatment_id,
        patientId: r.patient_id,
        patientName: `${r.given_name} ${r.family_name}`,
        patientErased: r.erased_at !== null,
        performedAt: new Date(r.performed_at),
        procedure: r.procedure,
        product: r.product,
        lotNumber: r.lot_number,
        practitionerId: r.practitioner_id,
        practitionerName: r.practitioner_id ? names.get(r.practitioner_id) ?? null : null,
        technique: r.technique,
        formula: r.formula,
        inWindow: r.in_window,
        flags: r.flags,
      })),
    };
  }

  private async compute(clinicId: string, windowDays: number, to: Date) {
    const from = new Date(to.getTime() - windowDays * DAY_MS);
    const earlierFrom = new Date(from.getTime() - windowDays * DAY_MS);
    const [current, earlier, lateOnset] = await Promise.all([
      this.repo.treatmentFacts(clinicId, from, to),
      this.repo.treatmentFacts(clinicId, earlierFrom, from),
      this.repo.lateOnsetFlags(clinicId, new Date(to.getTime() - CLUSTER_WINDOW_DAYS * DAY_MS), to),
    ]);
    const rows = detectSignals({
      clinicId,
      current,
      earlier: { exposures: earlier.length, events: earlier.filter((t) => t.event).length },
      lateOnset,
    });
    return { from, rows, totals: { exposures: current.length, events: current.filter((t) => t.event).length } };
  }

  /** One detection pass over every clinic; overlapping calls in one process share the pass under way. */
  tick(): Promise<{ clinics: number; newSignals: number }> {
    return this.pass.run(() => this.runTick());
  }

  private async runTick(): Promise<{ clinics: number; newSignals: number }> {
    const now = this.clock.now();
    // Late-onset flags can arrive long after the treatment: look a year further back than the windows.
    const clinicIds = await this.repo.clinicsWithTreatmentsSince(new Date(now.getTime() - (2 * DEFAULT_SIGNAL_WINDOW_DAYS + 365) * DAY_MS));
    let newSignals = 0;
    for (const clinicId of clinicIds) {
      try {
        newSignals += await this.detectFor(clinicId, now);
      } catch (err) {
        this.logger.error(`Signal detection for clinic ${clinicId} failed: ${(err as Error)?.stack ?? err}`);
      }
    }
    return { clinics: clinicIds.length, newSignals };
  }

  /**
   * Records what is a signal now; a new one is audited and alerts the clinic's compliance staff
   * (admins when it has none) in the same transaction, one email per person listing every new
   * signal of the pass. Sent right after the commit.
   */
  private async detectFor(clinicId: string, now: Date): Promise<number> {
    const windowDays = DEFAULT_SIGNAL_WINDOW_DAYS;
    const { rows } = await this.compute(clinicId, windowDays, now);
    const found = rows.flatMap((row) => row.kinds.map((kind) => ({ row, kind })));
    if (!found.length) return 0;
    const { fresh, messageIds } = await this.db.transaction(async (manager) => {
      const fresh: Array<{ id: string; row: SignalRow; kind: SignalKind }> = [];
      for (const { row, kind } of found) {
        const numbers = kind === 'cluster' ? { cluster: row.cluster, ...row.stats } : { ...row.stats };
        const r = await this.repo.upsert(manager, { clinicId, dimension: row.dimension, value: row.value, kind, windowDays, numbers: JSON.parse(JSON.stringify(numbers)) as Record<string, unknown>, at: now });
        if (r.inserted) fresh.push({ id: r.id, row, kind });
      }
      const messageIds: string[] = [];
      if (fresh.length) {
        const clinic = await this.clinics.get(clinicId, manager);
        let staff = await this.clinics.staffWithRoles(clinicId, ['compliance'], manager);
        if (!staff.length) staff = await this.clinics.staffWithRoles(clinicId, ['admin'], manager);
        const alert = signalAlert(clinic.name, fresh, windowDays, `${this.config.publicBaseUrl}/v1/signals`);
        for (const s of staff) {
          const msg = await this.messaging.enqueue(manager, { clinicId, staffUserId: s.id, channel: 'email', purpose: 'staff_alert', to: s.email, subject: alert.subject, text: alert.text });
          messageIds.push(msg.id);
        }
        for (const f of fresh) {
          await this.audit.record(manager, {
            clinicId,
            actor: SYSTEM,
            action: 'signal.detected',
            entityType: 'signal',
            entityId: f.id,
            data: {
              dimension: f.row.dimension,
              value: f.row.value,
              kind: f.kind,
              windowDays,
              events: f.row.stats.a,
              exposures: f.row.stats.exposures,
              prr: f.row.stats.prr,
              prrInfinite: f.row.stats.prrInfinite,
              chiSquare: f.row.stats.chiSquare,
              lateOnsetPatients: f.row.cluster?.lateOnsetPatients ?? null,
              staffAlerted: staff.map((s) => s.id),
              messageIds,
            },
          });
        }
      }
      return { fresh, messageIds };
    });
    await this.messaging.deliverNow(messageIds);
    return fresh.length;
  }
}

const DIMENSION_LABEL: Record<string, string> = { lot: 'Lot', product: 'Product', practitioner: 'Practitioner', technique: 'Technique', formula: 'Formula', clinic: 'The clinic as a whole' };

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`;
}

function num(x: number | null): string {
  return x === null ? 'n/a' : String(Math.round(x * 100) / 100);
}

/** The compliance alert: numbers only, never a patient's name, contact or answers. */
export function signalAlert(clinicName: string, fresh: Array<{ row: SignalRow; kind: SignalKind }>, windowDays: number, url: string): { subject: string; text: string } {
  const first = fresh[0].row;
  const what = (r: SignalRow) => (r.dimension === 'clinic' ? DIMENSION_LABEL.clinic : `${DIMENSION_LABEL[r.dimension]} ${r.value}`);
  const subject = fresh.length === 1 ? `Safety signal at ${clinicName}: ${what(first)}` : `${fresh.length} new safety signals at ${clinicName}`;
  const lines = fresh.map(({ row: r, kind }) => {
    const s = r.stats;
    if (kind === 'cluster') {
      return `- ${what(r)}: cluster of ${r.cluster!.lateOnsetPatients} patients with late-onset flags within ${CLUSTER_WINDOW_DAYS} days (${r.cluster!.firstAt.toISOString().slice(0, 10)} to ${r.cluster!.lastAt.toISOString().slice(0, 10)}).`;
    }
    const prr = s.prrInfinite ? 'infinite (no events in the comparison group)' : num(s.prr);
    return `- ${what(r)}: ${s.a} of ${s.exposures} treatments (${pct(s.rate)}) had an urgent or late-onset flag in the last ${windowDays} days, against ${s.c} of ${s.c + s.d} (${pct(s.restRate)}) in ${r.comparedWith}; PRR ${prr}, chi-square ${num(s.chiSquare)}.`;
  });
  const text = [
    `Aftercare found ${fresh.length === 1 ? 'a new safety signal' : 'new safety signals'} at ${clinicName}:`,
    '',
    ...lines,
    '',
    `A signal is n >= ${SIGNAL_CRITERIA.minEvents}, PRR >= ${SIGNAL_CRITERIA.minPrr} and chi-square >= ${SIGNAL_CRITERIA.minChiSquare}, or ${CLUSTER_MIN_PATIENTS} patients with late-onset flags on one lot or in the clinic within ${CLUSTER_WINDOW_DAYS} days.`,
    `The numbers behind it: ${url}`,
  ].join('\n');
  return { subject, text };
}
