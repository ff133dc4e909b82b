import { ApiProperty } from '@nestjs/swagger';
import { Symptom, SYMPTOMS, WarningSign } from '../../protocols/questions';
import { CourseGroup, CourseStep, CourseWarningSigns, SymptomAtStep, SymptomDuration } from '../course-report';
import { CourseReportResult } from '../reports.service';

const share = { type: Number, nullable: true, description: 'null when nobody counts' } as const;

export class SymptomAtStepDto {
  @ApiProperty({ description: 'Courses that scored this symptom on this day' }) answered: number;
  @ApiProperty() withSymptom: number;
  @ApiProperty(share) share: number | null;
  @ApiProperty() aboveExpected: number;
  @ApiProperty(share) shareAboveExpected: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The usual maximum on this day; null when the protocols in the group disagree' }) expectedMax: number | null;
}

export class SymptomsAtStepDto {
  @ApiProperty({ type: SymptomAtStepDto }) bruising: SymptomAtStepDto;
  @ApiProperty({ type: SymptomAtStepDto }) redness: SymptomAtStepDto;
  @ApiProperty({ type: SymptomAtStepDto }) itching: SymptomAtStepDto;
  @ApiProperty({ type: SymptomAtStepDto }) burning: SymptomAtStepDto;
  @ApiProperty({ type: SymptomAtStepDto }) pain: SymptomAtStepDto;
}

export class CourseStepDto {
  @ApiProperty() day: number;
  @ApiProperty({ description: 'Treatment courses with an answer on this day' }) answering: number;
  @ApiProperty() patients: number;
  @ApiProperty({ type: SymptomsAtStepDto }) symptoms: SymptomsAtStepDto;
  @ApiProperty() anyAboveExpected: number;
  @ApiProperty(share) shareAnyAboveExpected: number | null;
}

export class SymptomDurationDto {
  @ApiProperty() courses: number;
  @ApiProperty() withSymptom: number;
  @ApiProperty({ type: Number, nullable: true }) lastDayMedian: number | null;
  @ApiProperty({ type: Number, nullable: true }) lastDayP90: number | null;
  @ApiProperty({ type: Number, nullable: true }) lastDayMax: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'null when the protocols in the group disagree, -1 when never usual' }) expectedWindowEnd: number | null;
  @ApiProperty() beyondWindow: number;
  @ApiProperty(share) shareBeyondWindow: number | null;
}

export class SymptomDurationsDto {
  @ApiProperty({ type: SymptomDurationDto }) bruising: SymptomDurationDto;
  @ApiProperty({ type: SymptomDurationDto }) redness: SymptomDurationDto;
  @ApiProperty({ type: SymptomDurationDto }) itching: SymptomDurationDto;
  @ApiProperty({ type: SymptomDurationDto }) burning: SymptomDurationDto;
  @ApiProperty({ type: SymptomDurationDto }) pain: SymptomDurationDto;
}

export class WarningSignCountsDto {
  @ApiProperty() fever: number;
  @ApiProperty() discharge: number;
  @ApiProperty() spreading_redness: number;
  @ApiProperty() new_lump: number;
  @ApiProperty() skin_change: number;
  @ApiProperty() airway_swelling: number;
  @ApiProperty() hives: number;
}

export class CourseWarningSignsDto {
  @ApiProperty({ description: 'Courses with at least one answer' }) courses: number;
  @ApiProperty({ description: 'Courses that reported any warning sign at least once' }) withAny: number;
  @ApiProperty({ description: 'Courses that reported a sign of infection (fever, discharge, spreading redness, a new hard lump) at least once' }) withInfectionSign: number;
  @ApiProperty(share) shareInfectionSign: number | null;
  @ApiProperty({ type: WarningSignCountsDto, description: 'Courses that reported each sign at least once' }) bySign: WarningSignCountsDto;
}

export class CourseGroupDto {
  @ApiProperty() procedure: string;
  @ApiProperty() product: string;
  @ApiProperty() treatments: number;
  @ApiProperty() patients: number;
  @ApiProperty({ type: [CourseStepDto] }) steps: CourseStepDto[];
  @ApiProperty({ type: SymptomDurationsDto }) durations: SymptomDurationsDto;
  @ApiProperty({ type: CourseWarningSignsDto }) warningSigns: CourseWarningSignsDto;
}

export class CourseReportFilterDto {
  @ApiProperty({ type: String, nullable: true }) procedure: string | null;
  @ApiProperty({ type: String, nullable: true }) product: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) from: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Inclusive' }) to: Date | null;
}

export class CourseReportMethodDto {
  @ApiProperty() unit: string;
  @ApiProperty() day: string;
  @ApiProperty() aboveExpected: string;
  @ApiProperty() duration: string;
  @ApiProperty() warningSigns: string;
}

export class CourseReportDto {
  @ApiProperty({ type: CourseReportFilterDto }) filter: CourseReportFilterDto;
  @ApiProperty({ type: CourseReportMethodDto }) method: CourseReportMethodDto;
  @ApiProperty({ type: [CourseGroupDto] }) groups: CourseGroupDto[];
}

function perSymptom<T, U>(values: Record<Symptom, T>, map: (v: T) => U): Record<Symptom, U> {
  return Object.fromEntries(SYMPTOMS.map((s) => [s, map(values[s])])) as Record<Symptom, U>;
}

const atStep = (s: SymptomAtStep): SymptomAtStepDto => ({
  answered: s.answered,
  withSymptom: s.withSymptom,
  share: s.share,
  aboveExpected: s.aboveExpected,
  shareAboveExpected: s.shareAboveExpected,
  expectedMax: s.expectedMax,
});

const duration = (d: SymptomDuration): SymptomDurationDto => ({
  courses: d.courses,
  withSymptom: d.withSymptom,
  lastDayMedian: d.lastDayMedian,
  lastDayP90: d.lastDayP90,
  lastDayMax: d.lastDayMax,
  expectedWindowEnd: d.expectedWindowEnd,
  beyondWindow: d.beyondWindow,
  shareBeyondWindow: d.shareBeyondWindow,
});

const step = (s: CourseStep): CourseStepDto => ({
  day: s.day,
  answering: s.answering,
  patients: s.patients,
  symptoms: perSymptom(s.symptoms, atStep),
  anyAboveExpected: s.anyAboveExpected,
  shareAnyAboveExpected: s.shareAnyAboveExpected,
});

const group = (g: CourseGroup): CourseGroupDto => ({
  procedure: g.procedure,
  product: g.product,
  treatments: g.treatments,
  patients: g.patients,
  steps: g.steps.map(step),
  durations: perSymptom(g.durations, duration),
  warningSigns: signs(g.warningSigns),
});

const signs = (w: CourseWarningSigns): CourseWarningSignsDto => ({
  courses: w.courses,
  withAny: w.withAny,
  withInfectionSign: w.withInfectionSign,
  shareInfectionSign: w.shareInfectionSign,
  bySign: { ...(w.bySign as Record<WarningSign, number>) },
});

export function toCourseReportDto(r: CourseReportResult): CourseReportDto {
  return {
    filter: { procedure: r.filter.procedure, product: r.filter.product, from: r.filter.from, to: r.filter.to },
    method: { unit: r.method.unit, day: r.method.day, aboveExpected: r.method.aboveExpected, duration: r.method.duration, warningSigns: r.method.warningSigns },
    groups: r.groups.map(group),
  };
}
