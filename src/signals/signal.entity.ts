import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SignalDimension, SignalKind } from './detect';

/** A safety signal as first found and last seen by the scheduled detection; one per clinic, dimension, value and kind. */
@Entity('signals')
export class Signal {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) dimension: SignalDimension;
  @Column({ type: 'text' }) value: string;
  @Column({ type: 'text' }) kind: SignalKind;
  @Column({ name: 'window_days', type: 'int' }) windowDays: number;
  /** The 2×2 table, rates, PRR, chi-square (or the cluster's flags count and dates) when last seen. */
  @Column({ type: 'jsonb' }) numbers: Record<string, unknown>;
  @Column({ name: 'first_detected_at', type: 'timestamptz' }) firstDetectedAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
}
