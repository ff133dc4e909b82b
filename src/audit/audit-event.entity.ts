import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActorType } from '../common/actor';

@Entity('audit_events')
export class AuditEvent {
  @PrimaryColumn({ type: 'bigint' }) seq: string;
  @Column({ name: 'clinic_id', type: 'uuid', nullable: true }) clinicId: string | null;
  @Column({ name: 'clinic_seq', type: 'bigint' }) clinicSeq: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'actor_type', type: 'text' }) actorType: ActorType;
  @Column({ name: 'actor_id', type: 'text', nullable: true }) actorId: string | null;
  @Column({ type: 'text' }) action: string;
  @Column({ name: 'entity_type', type: 'text' }) entityType: string;
  @Column({ name: 'entity_id', type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'jsonb' }) data: Record<string, unknown>;
  @Column({ name: 'prev_hash', type: 'text' }) prevHash: string;
  @Column({ type: 'text' }) hash: string;
  /** SHA-256 of the event's payload (changes, reason), covered by the chain; null: no payload. */
  @Column({ name: 'payload_digest', type: 'text', nullable: true }) payloadDigest: string | null;
}
