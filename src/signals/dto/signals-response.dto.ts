import { ApiProperty } from '@nestjs/swagger';
import { ClusterFacts, SIGNAL_DIMENSIONS, SIGNAL_KINDS, SignalDimension, SignalKind, SignalRow } from '../detect';
import { Disproportionality } from '../disproportionality';
import { Signal } from '../signal.entity';
import { SignalCases, SignalReport } from '../signals.service';

const COMPARED_WITH: Array<SignalRow['comparedWith']> = ['rest of the clinic', "the clinic's previous window"];

/** The 2×2 table of a value against its comparison group, with PRR and chi-square. */
export class DisproportionalityDto {
  @ApiProperty({ description: 'Events with the value' }) a: number;
  @ApiProperty({ description: 'Exposures with the value and no event' }) b: number;
  @ApiProperty({ description: 'Events in the rest' }) c: number;
  @ApiProperty({ description: 'Exposures in the rest with no event' }) d: number;
  @ApiProperty({ description: 'a + b: treatments with the value' }) exposures: number;
  @ApiProperty({ description: 'a: the n of the rule' }) events: number;
  @ApiProperty({ type: Number, nullable: true, description: 'a / (a + b); null when there are no exposures' }) rate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'c / (c + d); null when the rest is empty' }) restRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'null when not a finite number; prrNote says why' }) prr: number | null;
  @ApiProperty({ description: 'Events with the value, none in a non-empty rest' }) prrInfinite: boolean;
  @ApiProperty({ type: String, nullable: true }) prrNote: string | null;
  @ApiProperty({ type: Number, nullable: true, description: "Lower end of the PRR's 95% confidence interval; null when a or c is 0" }) prrLower: number | null;
  @ApiProperty({ type: Number, nullable: true, description: "Upper end of the PRR's 95% confidence interval; null when a or c is 0" }) prrUpper: number | null;
  @ApiProperty({ type: Number, nullable: true, description: "Yates-corrected chi-square; null when a margin is empty" }) chiSquare: number | null;
  @ApiProperty({ type: String, nullable: true }) chiSquareNote: string | null;
  @ApiProperty() signal: boolean;
  @ApiProperty({ type: [String], description: 'Which parts of the rule are met or missed, in words' }) why: string[];
}

export class ClusterFactsDto {
  @ApiProperty({ description: 'Distinct patients with a late-onset flag in the cluster window' }) lateOnsetPatients: number;
  @ApiProperty({ type: String, format: 'date-time' }) firstAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) lastAt: Date;
}

/** One value of one dimension with its numbers, signal or not. */
export class SignalRowDto {
  @ApiProperty({ enum: SIGNAL_DIMENSIONS }) dimension: SignalDimension;
  @ApiProperty() value: string;
  @ApiProperty({ type: String, nullable: true, description: "A readable name where the value is an id (the practitioner's name)" }) label: string | null;
  @ApiProperty({ enum: COMPARED_WITH }) comparedWith: SignalRow['comparedWith'];
  @ApiProperty({ type: DisproportionalityDto }) stats: DisproportionalityDto;
  @ApiProperty({ type: ClusterFactsDto, nullable: true }) cluster: ClusterFactsDto | null;
  @ApiProperty() signal: boolean;
  @ApiProperty({ enum: SIGNAL_KINDS, isArray: true }) kinds: SignalKind[];
  @ApiProperty({ type: [String] }) why: string[];
}

/** A signal the scheduled detection recorded and alerted about, with its numbers when last seen. */
export class DetectedSignalDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ enum: SIGNAL_DIMENSIONS }) dimension: SignalDimension;
  @ApiProperty() value: string;
  @ApiProperty({ enum: SIGNAL_KINDS }) kind: SignalKind;
  @ApiProperty() windowDays: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The 2×2 table, rates, PRR, chi-square (or the cluster\'s count and dates) when last seen' })
  numbers: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time' }) firstDetectedAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) lastSeenAt: Date;
}

export class SignalCriteriaDto {
  @ApiProperty() minEvents: number;
  @ApiProperty() minPrr: number;
  @ApiProperty() minChiSquare: number;
  @ApiProperty() rule: string;
}

export class ClusterCriteriaDto {
  @ApiProperty() windowDays: number;
  @ApiProperty() minPatients: number;
  @ApiProperty() rule: string;
}

/** How the numbers are computed, in words. */
export class SignalMethodDto {
  @ApiProperty() events: string;
  @ApiProperty() exposures: string;
  @ApiProperty() comparison: string;
  @ApiProperty() table: string;
  @ApiProperty() prr: string;
  @ApiProperty() prrInterval: string;
  @ApiProperty() chiSquare: string;
  @ApiProperty({ type: SignalCriteriaDto }) criteria: SignalCriteriaDto;
  @ApiProperty({ type: ClusterCriteriaDto }) cluster: ClusterCriteriaDto;
}

export class SignalTotalsDto {
  @ApiProperty() exposures: number;
  @ApiProperty() events: number;
}

export class SignalReportDto {
  @ApiProperty() windowDays: number;
  @ApiProperty({ type: String, format: 'date-time' }) from: Date;
  @ApiProperty({ type: String, format: 'date-time' }) to: Date;
  @ApiProperty({ type: SignalMethodDto }) method: SignalMethodDto;
  @ApiProperty({ type: SignalTotalsDto }) totals: SignalTotalsDto;
  @ApiProperty({ type: [SignalRowDto], description: 'Every value of every dimension, signal or not' }) values: SignalRowDto[];
  @ApiProperty({ type: [SignalRowDto], description: 'The values that are a signal now' }) signals: SignalRowDto[];
  @ApiProperty({ type: [DetectedSignalDto], description: 'Signals the scheduled detection has found and alerted, newest first' }) detected: DetectedSignalDto[];
}

function toDisproportionalityDto(s: Disproportionality): DisproportionalityDto {
  return {
    a: s.a,
    b: s.b,
    c: s.c,
    d: s.d,
    exposures: s.exposures,
    events: s.events,
    rate: s.rate,
    restRate: s.restRate,
    prr: s.prr,
    prrInfinite: s.prrInfinite,
    prrNote: s.prrNote,
    prrLower: s.prrLower,
    prrUpper: s.prrUpper,
    chiSquare: s.chiSquare,
    chiSquareNote: s.chiSquareNote,
    signal: s.signal,
    why: s.why,
  };
}

function toClusterFactsDto(c: ClusterFacts): ClusterFactsDto {
  return { lateOnsetPatients: c.lateOnsetPatients, firstAt: c.firstAt, lastAt: c.lastAt };
}

export function toSignalRowDto(r: SignalRow): SignalRowDto {
  return {
    dimension: r.dimension,
    value: r.value,
    label: r.label,
    comparedWith: r.comparedWith,
    stats: toDisproportionalityDto(r.stats),
    cluster: r.cluster && toClusterFactsDto(r.cluster),
    signal: r.signal,
    kinds: r.kinds,
    why: r.why,
  };
}

export function toDetectedSignalDto(s: Signal): DetectedSignalDto {
  return {
    id: s.id,
    clinicId: s.clinicId,
    dimension: s.dimension,
    value: s.value,
    kind: s.kind,
    windowDays: s.windowDays,
    numbers: s.numbers,
    firstDetectedAt: s.firstDetectedAt,
    lastSeenAt: s.lastSeenAt,
  };
}

export function toSignalReportDto(r: SignalReport): SignalReportDto {
  const m = r.method;
  return {
    windowDays: r.windowDays,
    from: r.from,
    to: r.to,
    method: {
      events: m.events,
      exposures: m.exposures,
      comparison: m.comparison,
      table: m.table,
      prr: m.prr,
      prrInterval: m.prrInterval,
      chiSquare: m.chiSquare,
      criteria: { minEvents: m.criteria.minEvents, minPrr: m.criteria.minPrr, minChiSquare: m.criteria.minChiSquare, rule: m.criteria.rule },
      cluster: { windowDays: m.cluster.windowDays, minPatients: m.cluster.minPatients, rule: m.cluster.rule },
    },
    totals: { exposures: r.totals.exposures, events: r.totals.events },
    values: r.values.map(toSignalRowDto),
    signals: r.signals.map(toSignalRowDto),
    detected: r.detected.map(toDetectedSignalDto),
  };
}

export class SignalCaseFlagDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() priority: string;
  @ApiProperty() ruleId: string;
  @ApiProperty() reason: string;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, nullable: true }) outcome: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

/** A treatment behind a signal row: an urgent or late-onset flag counts for it. */
export class SignalCaseDto {
  @ApiProperty({ format: 'uuid' }) treatmentId: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty({ description: 'A pseudonym when the patient was erased' }) patientName: string;
  @ApiProperty() patientErased: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) performedAt: Date;
  @ApiProperty() procedure: string;
  @ApiProperty() product: string;
  @ApiProperty({ type: String, nullable: true }) lotNumber: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) practitionerId: string | null;
  @ApiProperty({ type: String, nullable: true }) practitionerName: string | null;
  @ApiProperty({ type: String, nullable: true }) technique: string | null;
  @ApiProperty({ type: String, nullable: true }) formula: string | null;
  @ApiProperty({ description: "Performed in the window (one of the row's a events); false: only in the lot-cluster window" }) inWindow: boolean;
  @ApiProperty({ type: [SignalCaseFlagDto], description: 'The urgent or late-onset flags that make it a case' }) flags: SignalCaseFlagDto[];
}

export class SignalCasesDto {
  @ApiProperty({ enum: SIGNAL_DIMENSIONS }) dimension: SignalDimension;
  @ApiProperty() value: string;
  @ApiProperty({ type: String, nullable: true }) label: string | null;
  @ApiProperty() windowDays: number;
  @ApiProperty({ type: String, format: 'date-time' }) from: Date;
  @ApiProperty({ type: String, format: 'date-time' }) to: Date;
  @ApiProperty({ description: 'Treatments with the value in the window (a + b)' }) exposures: number;
  @ApiProperty({ description: 'Cases performed in the window (a)' }) events: number;
  @ApiProperty({ type: [SignalCaseDto], description: 'Newest treatment first' }) cases: SignalCaseDto[];
}

export function toSignalCasesDto(r: SignalCases): SignalCasesDto {
  return {
    dimension: r.dimension,
    value: r.value,
    label: r.label,
    windowDays: r.windowDays,
    from: r.from,
    to: r.to,
    exposures: r.exposures,
    events: r.events,
    cases: r.cases.map((c) => ({
      treatmentId: c.treatmentId,
      patientId: c.patientId,
      patientName: c.patientName,
      patientErased: c.patientErased,
      performedAt: c.performedAt,
      procedure: c.procedure,
      product: c.product,
      lotNumber: c.lotNumber,
      practitionerId: c.practitionerId,
      practitionerName: c.practitionerName,
      technique: c.technique,
      formula: c.formula,
      inWindow: c.inWindow,
      flags: c.flags.map((f) => ({ id: f.id, priority: f.priority, ruleId: f.ruleId, reason: f.reason, status: f.status, outcome: f.outcome, createdAt: f.createdAt })),
    })),
  };
}
