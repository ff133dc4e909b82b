import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SignReading } from '../protocols/sign-reader';

@Entity('responses')
export class Response {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  @Column({ name: 'treatment_id', type: 'uuid' }) treatmentId: string;
  @Column({ name: 'check_in_id', type: 'uuid', nullable: true }) checkInId: string | null;
  @Column({ name: 'message_id', type: 'uuid', nullable: true }) messageId: string | null;
  @Column({ type: 'text' }) source: 'form' | 'sms';
  @Column({ type: 'smallint', nullable: true }) bruising: number | null;
  @Column({ type: 'smallint', nullable: true }) redness: number | null;
  @Column({ type: 'smallint', nullable: true }) itching: number | null;
  @Column({ type: 'smallint', nullable: true }) burning: number | null;
  @Column({ type: 'smallint', nullable: true }) pain: number | null;
  @Column({ name: 'warning_signs', type: 'text', array: true }) warningSigns: string[];
  /** How each sign named in the patient's words was read (negated ones too); null on answers stored before the reader. */
  @Column({ name: 'sign_readings', type: 'jsonb', nullable: true }) signReadings: SignReading[] | null;
  @Column({ name: 'free_text', type: 'text', nullable: true }) freeText: string | null;
  @Column({ name: 'raw_text', type: 'text', nullable: true }) rawText: string | null;
  @Column({ name: 'day_since_treatment', type: 'int' }) daySinceTreatment: number;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
