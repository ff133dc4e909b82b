import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ExpectedCourse } from './expected-course';

@Entity('protocols')
export class Protocol {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid', nullable: true }) clinicId: string | null;
  @Column({ type: 'text' }) key: string;
  @Column({ type: 'int' }) version: number;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'day_offsets', type: 'int', array: true }) dayOffsets: number[];
  @Column({ name: 'send_time', type: 'time' }) sendTime: string;
  @Column({ name: 'expiry_hours', type: 'int' }) expiryHours: number;
  @Column({ name: 'reminder_after_hours', type: 'int', nullable: true }) reminderAfterHours: number | null;
  /** What is usual for each symptom by day; answers are judged against it. */
  @Column({ name: 'expected_course', type: 'jsonb' }) expectedCourse: ExpectedCourse;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
