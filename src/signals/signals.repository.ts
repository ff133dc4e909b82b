import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { LateOnsetFlag, SignalDimension, SignalKind, TreatmentFacts } from './detect';
import { Signal } from './signal.entity';

/** An urgent flag, or a late-onset one whatever its priority now: the events signals count. */
const EVENT_FLAG = `(f.priority = 'urgent' OR f.rule_id = 'late-onset')`;
/**
 * A flag counts for its own treatment and for every session the answered check-in counted for:
 * in a course, a delayed infection may come from an earlier session's lot, not only the last.
 */
const FLAG_COUNTS_FOR = (t: string) =>
  `(f.treatment_id = ${t}.id OR EXISTS (SELECT 1 FROM responses r JOIN check_in_treatments l ON l.check_in_id = r.check_in_id
      WHERE r.id = f.response_id AND r.clinic_id = f.clinic_id AND l.treatment_id = ${t}.id))`;

/** The treatments column each dimension reads; the clinic as a whole reads every treatment. */
const VALUE_COLUMN: Record<SignalDimension, string | null> = {
  lot: 't.lot_number',
  product: 't.product',
  practitioner: 't.practitioner_id::text',
  technique: 't.technique',
  formula: 't.formula',
  clinic: null,
};

export interface SignalCaseFlag {
  id: string;
  priority: string;
  ruleId: string;
  reason: string;
  status: string;
  outcome: string | null;
  createdAt: Date;
}

export interface SignalCaseRow {
  treatment_id: string;
  patient_id: string;
  given_name: string;
  family_name: string;
  erased_at: Date | null;
  performed_at: Date;
  procedure: string;
  product: string;
  lot_number: string | null;
  practitioner_id: string | null;
  technique: string | null;
  formula: string | null;
  in_window: boolean;
  flags: SignalCaseFlag[];
}

/**
 * Database calls for signals and nothing else. Reads treatments and flags read-only (their
 * services own them); writes only the signals table. Every query is scoped by clinic.
 */
@Injectable()
export class SignalsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Treatments performed in [from, to), not cancelled, each with whether it had an event flag raised by `to`. */
  async treatmentFacts(clinicId: string, from: Date, to: Date, tx: EntityManager = this.db.manager): Promise<TreatmentFacts[]> {
    const rows = await queryRows<{ id: string; lot_number: string | null; product: string; practitioner_id: string | null; technique: string | null; formula: string | null; event: boolean }>(
      tx,
      `SELECT t.id, t.lot_number, t.product, t.practitioner_id, t.technique, t.formula,
              EXISTS (SELECT 1 FROM flags f WHERE f.clinic_id = t.clinic_id AND ${FLAG_COUNTS_FOR('t')} AND ${EVENT_FLAG} AND f.created_at <= $3) AS event
         FROM treatments t
        WHERE t.clinic_id = $1 AND t.status <> 'cancelled' AND t.performed_at >= $2 AND t.performed_at < $3`,
      [clinicId, from, to],
    );
    return rows.map((r) => ({
      treatmentId: r.id,
      lot: r.lot_number,
      product: r.product,
      practitioner: r.practitioner_id,
      technique: r.technique,
      formula: r.formula,
      event: r.event,
    }));
  }

  /** Late-onset flags raised in (from, to], once for each session they count for, with its lot. */
  async lateOnsetFlags(clinicId: string, from: Date, to: Date, tx: EntityManager = this.db.manager): Promise<LateOnsetFlag[]> {
    const rows = await queryRows<{ patient_id: string; treatment_id: string; lot_number: string | null; created_at: Date }>(
      tx,
      `SELECT f.patient_id, t.id AS treatment_id, t.lot_number, f.created_at
         FROM flags f JOIN treatments t ON t.clinic_id = f.clinic_id AND ${FLAG_COUNTS_FOR('t')}
        WHERE f.clinic_id = $1 AND f.rule_id = 'late-onset' AND f.created_at > $2 AND f.created_at <= $3 AND t.status <> 'cancelled'`,
      [clinicId, from, to],
    );
    return rows.map((r) => ({ patientId: r.patient_id, treatmentId: r.treatment_id, lot: r.lot_number, at: new Date(r.created_at) }));
  }

  /** Clinics with anything to look at: treatments since `since`. No clinic id: the scheduled detection pass over every clinic (a read join on treatments). */
  async clinicsWithTreatmentsSince(since: Date): Promise<string[]> {
    const rows = await queryRows<{ clinic_id: string }>(this.db, `SELECT DISTINCT clinic_id FROM treatments WHERE performed_at >= $1`, [since]);
    return rows.map((r) => r.clinic_id);
  }

  /**
   * Records a signal as seen now; true when it is new. Concurrent detectors meet at the unique
   * key: one inserts, the other waits for it and updates.
   */
  async upsert(
    tx: EntityManager,
    s: { clinicId: string; dimension: SignalDimension; value: string; kind: SignalKind; windowDays: number; numbers: Record<string, unknown>; at: Date },
  ): Promise<{ id: string; inserted: boolean }> {
    const [row] = await queryRows<{ id: string; inserted: boolean }>(
      tx,
      `INSERT INTO signals (clinic_id, dimension, value, kind, window_days, numbers, first_detected_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT ON CONSTRAINT signals_one_per_value
       DO UPDATE SET last_seen_at = GREATEST(signals.last_seen_at, EXCLUDED.last_seen_at), numbers = EXCLUDED.numbers, window_days = EXCLUDED.window_days
       RETURNING id, (xmax = 0) AS inserted`,
      [s.clinicId, s.dimension, s.value, s.kind, s.windowDays, JSON.stringify(s.numbers), s.at],
    );
    return row;
  }

  /**
   * The cases behind one value: its treatments (not cancelled) with an event flag raised by `to`,
   * performed in [from, to), and for a lot or the clinic also those with a late-onset flag raised
   * after `clusterFrom` (the lot-cluster window). Each with its event flags, newest treatment first.
   */
  async casesBehind(
    clinicId: string,
    dimension: SignalDimension,
    value: string,
    range: { from: Date; to: Date; clusterFrom: Date },
  ): Promise<SignalCaseRow[]> {
    const column = VALUE_COLUMN[dimension];
    const rows = await queryRows<SignalCaseRow & { flag_id: string; priority: string; rule_id: string; reason: string; status: string; outcome: string | null; flag_created_at: Date }>(
      this.db,
      `SELECT t.id AS treatment_id, t.patient_id, p.given_name, p.family_name, p.erased_at, t.performed_at, t.procedure, t.product, t.lot_number,
              t.practitioner_id, t.technique, t.formula, (t.performed_at >= $3 AND t.performed_at < $4) AS in_window,
              f.id AS flag_id, f.priority, f.rule_id, f.reason, f.status, f.outcome, f.created_at AS flag_created_at
         FROM treatments t
         JOIN patients p ON p.id = t.patient_id AND p.clinic_id = t.clinic_id
         JOIN flags f ON f.clinic_id = t.clinic_id AND ${FLAG_COUNTS_FOR('t')} AND ${EVENT_FLAG} AND f.created_at <= $4
        WHERE t.clinic_id = $1 AND t.status <> 'cancelled' AND ${column ? `${column} = $2` : '$2::text IS NOT NULL'}
          AND ((t.performed_at >= $3 AND t.performed_at < $4)
               OR ($6::boolean AND f.rule_id = 'late-onset' AND f.created_at > $5))
        ORDER BY t.performed_at DESC, t.id, f.created_at`,
      [clinicId, value, range.from, range.to, range.clusterFrom, dimension === 'lot' || dimension === 'clinic'],
    );
    const byTreatment = new Map<string, SignalCaseRow>();
    for (const r of rows) {
      const c = byTreatment.get(r.treatment_id) ?? {
        treatment_id: r.treatment_id,
        patient_id: r.patient_id,
        given_name: r.given_name,
        family_name: r.family_name,
        erased_at: r.erased_at,
        performed_at: r.performed_at,
        procedure: r.procedure,
        product: r.product,
        lot_number: r.lot_number,
        practitioner_id: r.practitioner_id,
        technique: r.technique,
        formula: r.formula,
        in_window: r.in_window,
        flags: [],
      };
      c.flags.push({ id: r.flag_id, priority: r.priority, ruleId: r.rule_id, reason: r.reason, status: r.status, outcome: r.outcome, createdAt: new Date(r.flag_created_at) });
      byTreatment.set(r.treatment_id, c);
    }
    return [...byTreatment.values()];
  }

  /** Treatments (not cancelled) with the value performed in [from, to): the exposures. */
  async exposures(clinicId: string, dimension: SignalDimension, value: string, from: Date, to: Date): Promise<number> {
    const column = VALUE_COLUMN[dimension];
    const [row] = await queryRows<{ n: string }>(
      this.db,
      `SELECT count(*) AS n FROM treatments t
        WHERE t.clinic_id = $1 AND t.status <> 'cancelled' AND ${column ? `${column} = $2` : '$2::text IS NOT NULL'} AND t.performed_at >= $3 AND t.performed_at < $4`,
      [clinicId, value, from, to],
    );
    return Number(row.n);
  }

  listDetected(clinicId: string): Promise<Signal[]> {
    return this.db.getRepository(Signal).find({ where: { clinicId }, order: { firstDetectedAt: 'DESC', dimension: 'ASC', value: 'ASC' } });
  }
}
