import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { StaffRole } from '../common/roles';

/** Who may be assigned a flag or a case. */
export const ASSIGNABLE_ROLES: readonly StaffRole[] = ['practitioner', 'admin'];

@Entity('staff_users')
export class StaffUser {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) email: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash: string;
  @Column({ type: 'text' }) role: StaffRole;
  @Column({ type: 'text', nullable: true }) phone: string | null;
  @Column() active: boolean;
  /** Set by an admin's temporary password: every route but the password change answers 403 until it is changed. */
  @Column({ name: 'must_change_password', default: false }) mustChangePassword: boolean;
  /** Carried in every bearer JWT (`ver`); bumped to make the person's tokens stop working at once. */
  @Column({ name: 'token_version', type: 'int', default: 0 }) tokenVersion: number;
  @Column({ name: 'last_sign_in_at', type: 'timestamptz', nullable: true }) lastSignInAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
