import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type MessageChannel = 'sms' | 'email';
export type Transport = 'smtp' | 'twilio' | 'outbox' | 'off';
export type MessagePurpose =
  | 'check_in'
  | 'reminder'
  | 'safety_advice'
  | 'clarification'
  | 'staff_alert'
  | 'consent_reply'
  | 'aftercare_instructions'
  | 'reply';
/** queued → sending → sent → delivered; failed/undelivered/cancelled are final; received is inbound. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'cancelled' | 'received';

@Entity('messages')
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid', nullable: true }) patientId: string | null;
  @Column({ name: 'staff_user_id', type: 'uuid', nullable: true }) staffUserId: string | null;
  @Column({ name: 'check_in_id', type: 'uuid', nullable: true }) checkInId: string | null;
  @Column({ type: 'text' }) direction: 'out' | 'in';
  @Column({ type: 'text' }) channel: MessageChannel;
  @Column({ type: 'text' }) transport: Transport;
  @Column({ type: 'text' }) purpose: MessagePurpose;
  @Column({ name: 'to_address', type: 'text' }) toAddress: string;
  @Column({ name: 'from_address', type: 'text', nullable: true }) fromAddress: string | null;
  @Column({ type: 'text', nullable: true }) subject: string | null;
  @Column({ type: 'text' }) body: string;
  @Column({ type: 'text', nullable: true }) html: string | null;
  /** Extra email headers (List-Unsubscribe); no personal data. */
  @Column({ type: 'jsonb', nullable: true }) headers: Record<string, string> | null;
  @Column({ name: 'provider_id', type: 'text', nullable: true }) providerId: string | null;
  @Column({ type: 'text' }) status: MessageStatus;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ type: 'int' }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true }) leaseExpiresAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** Set from the Clock by every write of messaging (never the database's CURRENT_TIMESTAMP). */
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
