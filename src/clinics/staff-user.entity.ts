import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const STAFF_ROLES = ['practitioner', 'compliance', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

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
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
