import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A link sent in one message about a check-in: only the token's SHA-256 is kept. */
@Entity('check_in_tokens')
export class CheckInToken {
  @PrimaryColumn({ name: 'token_hash', type: 'bytea' }) tokenHash: Buffer;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'check_in_id', type: 'uuid' }) checkInId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
