/**
 * Which lots, products, practitioners, techniques and formulas of one clinic stand out, from
 * plain facts about its treatments. Pure: the service gathers the facts, this judges them.
 */
import { Disproportionality, disproportionality } from './disproportionality';

export const SIGNAL_DIMENSIONS = ['lot', 'product', 'practitioner', 'technique', 'formula', 'clinic'] as const;
export type SignalDimension = (typeof SIGNAL_DIMENSIONS)[number];
export const SIGNAL_KINDS = ['disproportionality', 'cluster'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Two late-onset flags on one lot (or in the clinic) within this many days: a signal at once. */
export const CLUSTER_WINDOW_DAYS = 90;
export const CLUSTER_MIN_PATIENTS = 2;

export interface TreatmentFacts {
  treatmentId: string;
  lot: string | null;
  product: string | null;
  practitioner: string | null;
  technique: string | null;
  formula: string | null;
  /** An urgent or a late-onset flag (any status). */
  event: boolean;
}

export interface LateOnsetFlag {
  /** One flag may count for several sessions of a course (of one lot or several): a cluster counts patients. */
  patientId: string;
  treatmentId: string;
  lot: string | null;
  at: Date;
}

export interface ClusterFacts {
  /** Distinct patients with a late-onset flag in the cluster window. */
  lateOnsetPatients: number;
  firstAt: Date;
  lastAt: Date;
}

export interface SignalRow {
  dimension: SignalDimension;
  value: string;
  /** A readable name for the value where the value is an id (the practitioner's name); null otherwise. */
  label: string | null;
  /** For the clinic row: this window against the clinic's own window before it; otherwise: this value against the rest of the clinic. */
  comparedWith: 'rest of the clinic' | 'the clinic\'s previous window';
  stats: Disproportionality;
  cluster: ClusterFacts | null;
  signal: boolean;
  kinds: SignalKind[];
  why: string[];
}

const VALUE_OF: Record<Exclude<SignalDimension, 'clinic'>, (t: TreatmentFacts) => string | null> = {
  lot: (t) => t.lot,
  product: (t) => t.product,
  practitioner: (t) => t.practitioner,
  technique: (t) => t.technique,
  formula: (t) => t.formula,
};

function clusterOf(flags: LateOnsetFlag[]): ClusterFacts | null {
  // Distinct patients: one infection counted for two sessions, or flagged twice, is one patient, not a cluster.
  const distinct = new Set(flags.map((f) => f.patientId));
  if (distinct.size < CLUSTER_MIN_PATIENTS) return null;
  const times = flags.map((f) => f.at.getTime());
  return { lateOnsetPatients: distinct.size, firstAt: new Date(Math.min(...times)), lastAt: new Date(Math.max(...times)) };
}

function row(dimension: SignalDimension, value: string, comparedWith: SignalRow['comparedWith'], stats: Disproportionality, cluster: ClusterFacts | null): SignalRow {
  const kinds: SignalKind[] = [];
  const why: string[] = [];
  if (stats.signal) {
    kinds.push('disproportionality');
    why.push(`disproportionality: ${stats.why.join(', ')}`);
  }
  if (cluster) {
    kinds.push('cluster');
    why.push(`cluster: ${cluster.lateOnsetPatients} patients with late-onset flags within ${CLUSTER_WINDOW_DAYS} days`);
  }
  if (!kinds.length) why.push(`no signal: ${stats.why.join(', ')}`);
  return { dimension, value, label: null, comparedWith, stats, cluster, signal: kinds.length > 0, kinds, why };
}

/**
 * Every value of every dimension seen in the window (or in a late-onset cluster), with its 2×2
 * table against the rest of the clinic's treatments in the window. Treatments without a value
 * (no lot recorded) count in the rest only. The clinic as a whole is compared with its own
 * previous window of the same length (`earlier`).
 */
export function detectSignals(input: {
  clinicId: string;
  current: TreatmentFacts[];
  earlier: { exposures: number; events: number };
  /** Late-onset flags raised in the last CLUSTER_WINDOW_DAYS days. */
  lateOnset: LateOnsetFlag[];
}): SignalRow[] {
  const total = input.current.length;
  const totalEvents = input.current.filter((t) => t.event).length;
  const rows: SignalRow[] = [];
  for (const dimension of Object.keys(VALUE_OF) as Array<keyof typeof VALUE_OF>) {
    const valueOf = VALUE_OF[dimension];
    const counts = new Map<string, { exposures: number; events: number }>();
    for (const t of input.current) {
      const v = valueOf(t);
      if (v === null || v === '') continue;
      const c = counts.get(v) ?? { exposures: 0, events: 0 };
      c.exposures++;
      if (t.event) c.events++;
      counts.set(v, c);
    }
    const clusters = new Map<string, LateOnsetFlag[]>();
    if (dimension === 'lot') {
      for (const f of input.lateOnset) {
        if (!f.lot) continue;
        clusters.set(f.lot, [...(clusters.get(f.lot) ?? []), f]);
        if (!counts.has(f.lot)) counts.set(f.lot, { exposures: 0, events: 0 });
      }
    }
    for (const [value, c] of [...counts].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      const a = c.events;
      const b = c.exposures - c.events;
      const cc = totalEvents - a;
      const d = total - c.exposures - cc;
      rows.push(row(dimension, value, 'rest of the clinic', disproportionality({ a, b, c: cc, d }), clusterOf(clusters.get(value) ?? [])));
    }
  }
  const e = input.earlier;
  rows.push(
    row(
      'clinic',
      input.clinicId,
      "the clinic's previous window",
      disproportionality({ a: totalEvents, b: total - totalEvents, c: e.events, d: e.exposures - e.events }),
      clusterOf(input.lateOnset),
    ),
  );
  return rows;
}
