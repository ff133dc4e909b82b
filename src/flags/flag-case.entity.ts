import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FlagStatus } from './flag.entity';

/**
 * One case per patient and course: a stored summary of the case's flags, kept by FlagCasesService in
 * the same transaction as every flag change (see flag-cases.service.ts). Its id is its first flag's id.
 */
@Entity('flag_cases')
export class FlagCase {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  /** The course's first session (a flag without a course: its treatment, or null without one). */
  @Column({ name: 'course_id', type: 'uuid', nullable: true }) courseId: string | null;
  /** The treatment of the case's newest flag that has one. */
  @Column({ name: 'treatment_id', type: 'uuid', nullable: true }) treatmentId: string | null;
  @Column({ type: 'text' }) status: FlagStatus;
  @Column({ type: 'text' }) priority: 'urgent' | 'high' | 'normal' | 'low';
  @Column({ name: 'priority_rank', type: 'smallint' }) priorityRank: number;
  @Column({ name: 'rule_ids', type: 'text', array: true }) ruleIds: string[];
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true }) assigneeId: string | null;
  @Column({ name: 'waiting_since', type: 'timestamptz' }) waitingSince: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
