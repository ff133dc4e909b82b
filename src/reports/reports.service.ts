import { BadRequestException, Injectable } from '@nestjs/common';
import { courseReport, CourseGroup } from './course-report';
import { CourseReportQuery } from './dto/course-report.dto';
import { ReportsRepository } from './reports.repository';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86400_000;

export const COURSE_REPORT_METHOD = {
  unit: 'A treatment course: one per treatment, with the latest score per symptom on each check-in day. patients counts distinct patients.',
  day: "The protocol step's day offset (days since treatment for an answer outside a check-in).",
  aboveExpected: "A score above expectedMax(course, symptom, day) of the treatment's own protocol version.",
  duration:
    'Per course, the last check-in day the symptom was reported above 0; median and 90th percentile (nearest rank) over the courses that had it. ' +
    'Check-ins are days apart, so this is the last day seen, not the day it stopped. beyondWindow: that day is after the protocol\'s windowEnd.',
  warningSigns:
    'Per course, whether any answer reported a warning sign; signs of infection are fever, pus or fluid from a puncture, spreading redness and a new hard lump (late infections show as lumps).',
} as const;

export interface CourseReportResult {
  filter: { procedure: string | null; product: string | null; from: Date | null; to: Date | null };
  method: typeof COURSE_REPORT_METHOD;
  groups: CourseGroup[];
}

/** Decides the real-world course report: how answers to matching treatments compare with the protocols' expected course. */
@Injectable()
export class ReportsService {
  constructor(private readonly repo: ReportsRepository) {}

  async course(clinicId: string, q: CourseReportQuery): Promise<CourseReportResult> {
    const from = q.from ? parseInstant(q.from, 'from') : null;
    // A date as `to` means the whole of that day.
    const toEnd = q.to ? new Date(parseInstant(q.to, 'to').getTime() + (DATE_ONLY.test(q.to) ? DAY_MS : 1)) : null;
    if (from && toEnd && from >= toEnd) throw new BadRequestException('from must be before to');
    const answers = await this.repo.courseAnswers(clinicId, { procedure: q.procedure, product: q.product, from: from ?? undefined, to: toEnd ?? undefined });
    return {
      filter: { procedure: q.procedure ?? null, product: q.product ?? null, from, to: toEnd ? new Date(toEnd.getTime() - 1) : null },
      method: COURSE_REPORT_METHOD,
      groups: courseReport(answers),
    };
  }
}

function parseInstant(value: string, field: string): Date {
  if (!DATE_ONLY.test(value) && !/([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(value)) {
    throw new BadRequestException(`${field} must be a date (2026-01-31) or a date-time with a time zone (2026-01-31T09:00:00Z)`);
  }
  const d = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw new BadRequestException(`${field} must be a valid ISO 8601 date or date-time`);
  return d;
}
