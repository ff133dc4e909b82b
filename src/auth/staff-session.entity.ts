import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A browser sign-in: the cookie holds a random id, the table only its SHA-256. */
@Entity('staff_sessions')
export class StaffSession {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'token_hash', type: 'bytea', select: false }) tokenHash: Buffer;
  @Column({ name: 'staff_id', type: 'uuid' }) staffId: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'csrf_token', type: 'text' }) csrfToken: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason: string | null;
}
