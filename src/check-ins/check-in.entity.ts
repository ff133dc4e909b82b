import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Channel } from '../patients/patient.entity';
import type { CheckInStatus } from './check-in-status';

/** One message asking a patient how they are on a day of their course, and where it stands. */
@Entity('check_ins')
export class CheckIn {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'treatment_id', type: 'uuid' }) treatmentId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  @Column({ type: 'int' }) step: number;
  @Column({ name: 'day_offset', type: 'int' }) dayOffset: number;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'remind_at', type: 'timestamptz', nullable: true }) remindAt: Date | null;
  @Column({ type: 'text' }) status: CheckInStatus;
  @Column({ type: 'text', nullable: true }) channel: Channel | null;
  @Column({ type: 'int' }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt: Date;
  @Column({ name: 'lease_owner', type: 'text', nullable: true, select: false }) leaseOwner: string | null;
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true, select: false }) leaseExpiresAt: Date | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt: Date | null;
  @Column({ name: 'reminder_sent_at', type: 'timestamptz', nullable: true }) reminderSentAt: Date | null;
  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true }) answeredAt: Date | null;
  @Column({ name: 'clarifications_sent', type: 'int' }) clarificationsSent: number;
  /** Set when the check-in failed for good on this channel and moved to the other one. */
  @Column({ name: 'fallback_from', type: 'text', nullable: true }) fallbackFrom: Channel | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  /** Set on an extra check-in a practitioner asked for from this flag (not a protocol step). */
  @Column({ name: 'requested_by_flag_id', type: 'uuid', nullable: true }) requestedByFlagId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
