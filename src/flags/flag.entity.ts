import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Causality, Seriousness, SeriousnessCriterion } from './assessment';

export const FLAG_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];
export const FLAG_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const FLAG_OUTCOMES = ['no_action_needed', 'advice_given', 'seen_in_clinic', 'referred', 'reported_to_authority'] as const;
export type FlagOutcome = (typeof FLAG_OUTCOMES)[number];

@Entity('flags')
export class Flag {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  @Column({ name: 'treatment_id', type: 'uuid', nullable: true }) treatmentId: string | null;
  @Column({ name: 'response_id', type: 'uuid', nullable: true }) responseId: string | null;
  @Column({ name: 'message_id', type: 'uuid', nullable: true }) messageId: string | null;
  /** The case (patient and course) the flag is triaged in while unresolved; see flag_cases. */
  @Column({ name: 'case_id', type: 'uuid', nullable: true }) caseId: string | null;
  @Column({ name: 'rule_id', type: 'text' }) ruleId: string;
  @Column({ name: 'rule_version', type: 'int' }) ruleVersion: number;
  @Column({ type: 'text' }) priority: (typeof FLAG_PRIORITIES)[number];
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'jsonb' }) evidence: Record<string, unknown>;
  @Column({ type: 'text' }) status: FlagStatus;
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true }) assigneeId: string | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true }) acknowledgedBy: string | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ name: 'resolved_by', type: 'uuid', nullable: true }) resolvedBy: string | null;
  @Column({ type: 'text', nullable: true }) outcome: FlagOutcome | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  /** Causality and seriousness (ICH E2A) as last assessed; see POST /v1/flags/:id/assess. */
  @Column({ type: 'text', nullable: true }) causality: Causality | null;
  @Column({ type: 'text', nullable: true }) seriousness: Seriousness | null;
  @Column({ name: 'seriousness_criteria', type: 'text', array: true, default: () => "'{}'" }) seriousnessCriteria: SeriousnessCriterion[];
  @Column({ name: 'assessment_note', type: 'text', nullable: true }) assessmentNote: string | null;
  @Column({ name: 'assessed_at', type: 'timestamptz', nullable: true }) assessedAt: Date | null;
  @Column({ name: 'assessed_by', type: 'uuid', nullable: true }) assessedBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** Set from the Clock by every write (never the database's CURRENT_TIMESTAMP). */
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
