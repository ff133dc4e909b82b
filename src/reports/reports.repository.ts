import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { ExpectedCourse } from '../protocols/expected-course';
import type { CourseAnswer } from './course-report';

/** Read-only SQL for reports; the tables belong to their features' services. Scoped by clinic. */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every answer to treatments matching the filter, with the step's day and the protocol's expected course. */
  async courseAnswers(clinicId: string, f: { procedure?: string; product?: string; from?: Date; to?: Date }): Promise<CourseAnswer[]> {
    const rows = await queryRows<{
      treatment_id: string;
      patient_id: string;
      procedure: string;
      product: string;
      day: number;
      received_at: Date;
      bruising: number | null;
      redness: number | null;
      itching: number | null;
      burning: number | null;
      pain: number | null;
      expected_course: ExpectedCourse;
      warning_signs: string[];
    }>(
      this.db,
      `SELECT r.treatment_id, t.patient_id, t.procedure, t.product, COALESCE(ci.day_offset, r.day_since_treatment) AS day,
              r.received_at, r.bruising, r.redness, r.itching, r.burning, r.pain, p.expected_course, r.warning_signs
         FROM responses r
         JOIN treatments t ON t.id = r.treatment_id AND t.clinic_id = r.clinic_id
         JOIN protocols p ON p.id = t.protocol_id
         LEFT JOIN check_ins ci ON ci.id = r.check_in_id AND ci.clinic_id = r.clinic_id
        WHERE r.clinic_id = $1 AND t.status <> 'cancelled'
          AND ($2::text IS NULL OR t.procedure = $2)
          AND ($3::text IS NULL OR t.product = $3)
          AND ($4::timestamptz IS NULL OR t.performed_at >= $4)
          AND ($5::timestamptz IS NULL OR t.performed_at < $5)`,
      [clinicId, f.procedure ?? null, f.product ?? null, f.from ?? null, f.to ?? null],
    );
    return rows.map((r) => ({
      treatmentId: r.treatment_id,
      patientId: r.patient_id,
      procedure: r.procedure,
      product: r.product,
      day: Number(r.day),
      receivedAt: new Date(r.received_at),
      scores: { bruising: r.bruising, redness: r.redness, itching: r.itching, burning: r.burning, pain: r.pain },
      course: r.expected_course,
      warningSigns: r.warning_signs ?? [],
    }));
  }
}
