import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { ExpectedCourse } from '../protocols/expected-course';
import { courseSessionsAt } from '../treatments/course';
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
      performed_at: Date;
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
      `SELECT r.treatment_id, t.patient_id, t.procedure, t.product, t.performed_at, COALESCE(ci.day_offset, r.day_since_treatment) AS day,
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
    const courseOf = await this.courseStarts(clinicId, [...new Set(rows.map((r) => r.patient_id))]);
    return rows.map((r) => ({
      treatmentId: r.treatment_id,
      courseId: courseOf.get(r.treatment_id) ?? r.treatment_id,
      performedAt: new Date(r.performed_at),
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

  /** Each active session of these patients → the first session of its course (sessions of a kind chained in time). */
  private async courseStarts(clinicId: string, patientIds: string[]): Promise<Map<string, string>> {
    if (!patientIds.length) return new Map();
    const sessions = await queryRows<{ id: string; patient_id: string; procedure: string; protocol_key: string; performed_at: Date }>(
      this.db,
      `SELECT id, patient_id, procedure, protocol_key, performed_at FROM treatments WHERE clinic_id = $1 AND patient_id = ANY($2::uuid[]) AND status = 'active'`,
      [clinicId, patientIds],
    );
    const byPatient = new Map<string, Array<{ id: string; procedure: string; protocolKey: string; performedAt: Date }>>();
    for (const s of sessions) {
      byPatient.set(s.patient_id, [...(byPatient.get(s.patient_id) ?? []), { id: s.id, procedure: s.procedure, protocolKey: s.protocol_key, performedAt: new Date(s.performed_at) }]);
    }
    const starts = new Map<string, string>();
    for (const list of byPatient.values()) {
      for (const s of list) starts.set(s.id, courseSessionsAt(list, s.performedAt, s)[0]?.id ?? s.id);
    }
    return starts;
  }
}
