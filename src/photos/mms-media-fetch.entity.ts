import { Column, Entity, PrimaryColumn } from 'typeorm';

export type MmsMediaFetchStatus = 'waiting' | 'sending' | 'stored' | 'refused';

/** One medium of a patient's MMS, waiting to be fetched from Twilio into the photo store (MmsIntake). */
@Entity('mms_media_fetches')
export class MmsMediaFetch {
  @PrimaryColumn('uuid') id: string;
  @PrimaryColumn({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  /** The inbound text it came with. */
  @Column({ name: 'message_id', type: 'uuid' }) messageId: string;
  /** The answer it joins; null when the text was not an answer (the flag on the text shows it). */
  @Column({ name: 'response_id', type: 'uuid', nullable: true }) responseId: string | null;
  /** 1-3 in the order sent. */
  @Column({ type: 'smallint' }) position: number;
  @Column({ type: 'text' }) url: string;
  @Column({ name: 'content_type', type: 'text', nullable: true }) contentType: string | null;
  @Column({ type: 'text' }) status: MmsMediaFetchStatus;
  @Column({ type: 'int' }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt: Date;
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true }) leaseExpiresAt: Date | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
