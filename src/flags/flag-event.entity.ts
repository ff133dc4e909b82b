import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ActorType } from '../common/actor';

export const FLAG_EVENT_KINDS = [
  'raised',
  'acknowledged',
  'assigned',
  'note',
  'resolved',
  'reopened',
  /** New evidence joined the open flag (one open flag per treatment and rule). */
  'evidence_added',
  'priority_raised',
  'escalated',
  'extra_check_in_requested',
  /** Causality and seriousness assessed by a practitioner. */
  'assessed',
] as const;
export type FlagEventKind = (typeof FLAG_EVENT_KINDS)[number];

/** One step in a flag's history. The database refuses UPDATE, DELETE and TRUNCATE. */
@Entity('flag_events')
export class FlagEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'flag_id', type: 'uuid' }) flagId: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ name: 'actor_type', type: 'text' }) actorType: ActorType;
  @Column({ name: 'actor_id', type: 'text', nullable: true }) actorId: string | null;
  @Column({ type: 'text' }) kind: FlagEventKind;
  @Column({ type: 'jsonb' }) data: Record<string, unknown>;
  /** Insertion order, to keep events written at the same instant in order. */
  @Column({ type: 'bigint', select: false, insert: false, update: false }) seq: string;
}
