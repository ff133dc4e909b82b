import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const TECHNIQUES = ['manual', 'injector_gun'] as const;
export type Technique = (typeof TECHNIQUES)[number];

@Entity('treatments')
export class Treatment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  @Column({ name: 'practitioner_id', type: 'uuid', nullable: true }) practitionerId: string | null;
  @Column({ name: 'external_ref', type: 'text', nullable: true }) externalRef: string | null;
  @Column({ type: 'text' }) procedure: string;
  @Column({ type: 'text' }) indication: string;
  @Column({ name: 'body_areas', type: 'text', array: true }) bodyAreas: string[];
  @Column({ type: 'text' }) product: string;
  @Column({ name: 'lot_number', type: 'text', nullable: true }) lotNumber: string | null;
  /** By hand or with an injector gun; signals are looked for by technique. */
  @Column({ type: 'text', nullable: true }) technique: Technique | null;
  /** The formula (cocktail) injected; signals are looked for by formula too. */
  @Column({ type: 'text', nullable: true }) formula: string | null;
  @Column({ name: 'performed_at', type: 'timestamptz' }) performedAt: Date;
  @Column({ name: 'protocol_id', type: 'uuid' }) protocolId: string;
  @Column({ name: 'protocol_version', type: 'int' }) protocolVersion: number;
  /** The protocol's key: sessions of one procedure and key form a course. */
  @Column({ name: 'protocol_key', type: 'text' }) protocolKey: string;
  @Column({ type: 'text' }) status: 'active' | 'cancelled';
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true }) cancelledAt: Date | null;
  @Column({ name: 'cancel_reason', type: 'text', nullable: true }) cancelReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
